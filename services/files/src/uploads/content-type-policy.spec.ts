import { describe, expect, it } from '@jest/globals';
import { AllowedTypes, decideContentType } from './content-type-policy.js';
import { DEFAULT_ALLOWED_TYPES } from '../settings.js';

const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0]);
const PDF = new TextEncoder().encode('%PDF-1.7\n%\u00e2\u00e3\n1 0 obj\n<<>>\nendobj\n');
const TEXT = new TextEncoder().encode('hello, world\n');
const ELF = Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0x3e, 0]);
const allowed = new AllowedTypes(DEFAULT_ALLOWED_TYPES);

describe('decideContentType', () => {
  it('takes the recognised type when it agrees with the declared one', async () => {
    await expect(decideContentType(PNG, 'image/png', allowed)).resolves.toBe('image/png');
    await expect(decideContentType(PDF, undefined, allowed)).resolves.toBe('application/pdf');
    await expect(decideContentType(PDF, 'application/octet-stream', allowed)).resolves.toBe('application/pdf');
  });

  it('keeps a declared type without a signature for bytes without one', async () => {
    await expect(decideContentType(TEXT, 'text/plain; charset=utf-8', allowed)).resolves.toBe('text/plain');
    await expect(decideContentType(TEXT, undefined, allowed)).resolves.toBe('application/octet-stream');
  });

  it('refuses bytes that contradict the declared type', async () => {
    await expect(decideContentType(PNG, 'application/pdf', allowed)).rejects.toMatchObject({ code: 'unsupported_file_type' });
    await expect(decideContentType(TEXT, 'image/png', allowed)).rejects.toMatchObject({ code: 'unsupported_file_type' });
  });

  it('refuses a type outside the allow-list, declared or recognised', async () => {
    await expect(decideContentType(ELF, undefined, allowed)).rejects.toMatchObject({ code: 'unsupported_file_type' });
    await expect(decideContentType(TEXT, 'text/html', allowed)).rejects.toMatchObject({ code: 'unsupported_file_type' });
    await expect(decideContentType(PNG, 'image/png', new AllowedTypes('application/pdf'))).rejects.toMatchObject({ code: 'unsupported_file_type' });
  });
});
