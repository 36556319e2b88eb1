import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';

const OWNER_ONLY = 0o600;

/**
 * A secret kept in a file only its owner can read (0600): read when it exists (and made 0600
 * again if it was widened), else created from `generate()`. Created with `wx`, so two processes
 * starting at once cannot overwrite each other's secret.
 */
export function readOrCreateSecretFile(path: string, generate: () => string): { value: string; created: boolean } {
  if (!existsSync(path)) {
    try {
      writeFileSync(path, `${generate()}\n`, { mode: OWNER_ONLY, flag: 'wx' });
      return { value: readSecret(path), created: true };
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'EEXIST') throw error;
    }
  }
  if ((statSync(path).mode & 0o777) !== OWNER_ONLY) chmodSync(path, OWNER_ONLY);
  return { value: readSecret(path), created: false };
}

function readSecret(path: string): string {
  const value = readFileSync(path, 'utf8').trim();
  if (value === '') throw new Error(`${path} exists but is empty`);
  return value;
}
