import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const INITIAL_PASSWORD_FILE = 'initial-admin-password';

/**
 * The embedded shape's first admin password when none is configured: generated once, kept in
 * the data folder (readable by its owner only) so restarts keep it, never written to logs.
 */
export function initialAdminPassword(dataDir: string): { password: string; created: boolean } {
  const file = join(dataDir, INITIAL_PASSWORD_FILE);
  if (existsSync(file)) return { password: readFileSync(file, 'utf8').trim(), created: false };
  const password = randomBytes(18).toString('base64url');
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return { password, created: true };
}
