import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { readOrCreateSecretFile } from '@np/persistence';

export const INITIAL_PASSWORD_FILE = 'initial-admin-password';

/**
 * The embedded shape's first admin password when none is configured: generated once, kept in
 * the data folder (readable by its owner only) so restarts keep it, never written to logs.
 */
export function initialAdminPassword(dataDir: string): { password: string; created: boolean } {
  const { value, created } = readOrCreateSecretFile(join(dataDir, INITIAL_PASSWORD_FILE), () => randomBytes(18).toString('base64url'));
  return { password: value, created };
}
