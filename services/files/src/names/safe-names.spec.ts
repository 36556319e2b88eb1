import { describe, expect, it } from '@jest/globals';
import { safeFileName, safeFolder } from './safe-names.js';

describe('safeFileName', () => {
  it.each([
    ['report.pdf', 'report.pdf'],
    ['../../etc/passwd', 'etc_passwd'],
    ['..\\..\\boot.ini', 'boot.ini'],
    ['a\u0000b.txt', 'ab.txt'],
    ['line\r\nbreak.txt', 'linebreak.txt'],
    ['invoice\u202Efdp.exe', 'invoicefdp.exe'],
    ['\u200Fmark.png', 'mark.png'],
    ['.hidden', 'hidden'],
    ['', 'file'],
    ['../..', 'file'],
    ['a"b<c>.txt', 'a_b_c_.txt'],
  ])('%j → %j', (raw, safe) => {
    expect(safeFileName(raw)).toBe(safe);
  });

  it('cuts a long name to 255 characters and keeps its extension', () => {
    const safe = safeFileName(`${'x'.repeat(300)}.jpeg`);
    expect([...safe]).toHaveLength(255);
    expect(safe.endsWith('.jpeg')).toBe(true);
  });

  it('drops an unpaired surrogate', () => {
    expect(safeFileName('a\uD800b')).toBe('ab');
  });
});

describe('safeFolder', () => {
  it.each([
    ['', ''],
    ['/docs/2026/', 'docs/2026'],
    ['docs/../../secret', 'docs/secret'],
    ['a//b\\c', 'a/b/c'],
    ['\u202Eevil/x', 'evil/x'],
  ])('%j → %j', (raw, safe) => {
    expect(safeFolder(raw)).toBe(safe);
  });
});
