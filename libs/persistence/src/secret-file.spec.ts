import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { readOrCreateSecretFile } from './secret-file.js';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'np-secret-'));
  dirs.push(dir);
  return dir;
};
const mode = (path: string) => statSync(path).mode & 0o777;

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('readOrCreateSecretFile', () => {
  it('creates the secret once, readable by its owner only, and reads it back afterwards', () => {
    const file = join(tempDir(), 'secret');
    const first = readOrCreateSecretFile(file, () => 'generated');
    const second = readOrCreateSecretFile(file, () => 'another');

    expect(first).toEqual({ value: 'generated', created: true });
    expect(second).toEqual({ value: 'generated', created: false });
    expect(mode(file)).toBe(0o600);
  });

  it('makes a widened file 0600 again', () => {
    const file = join(tempDir(), 'secret');
    writeFileSync(file, 'kept\n');
    chmodSync(file, 0o644);

    expect(readOrCreateSecretFile(file, () => 'unused').value).toBe('kept');
    expect(mode(file)).toBe(0o600);
  });

  it('refuses an empty file rather than using an empty secret', () => {
    const file = join(tempDir(), 'secret');
    writeFileSync(file, '\n', { mode: 0o600 });
    expect(() => readOrCreateSecretFile(file, () => 'unused')).toThrow(/empty/);
  });
});
