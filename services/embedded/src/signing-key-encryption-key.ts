import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { readOrCreateSecretFile } from '@np/persistence';

export const SIGNING_KEY_ENCRYPTION_KEY_FILE = 'signing-key-encryption-key';

/**
 * The key the auth module encrypts its signing private keys with, in the embedded shape: taken
 * from NP_SIGNING_KEY_ENCRYPTION_KEY when set, else generated once (256 bits, base64url) and kept
 * in the data folder, readable by its owner only, outside the database: a dump or copy of the
 * database alone holds no usable private key.
 */
export function signingKeyEncryptionKey(dataDir: string, env: NodeJS.ProcessEnv): string {
  const configured = env.NP_SIGNING_KEY_ENCRYPTION_KEY;
  if (configured !== undefined && configured !== '') return configured;
  return readOrCreateSecretFile(join(dataDir, SIGNING_KEY_ENCRYPTION_KEY_FILE), () => randomBytes(32).toString('base64url')).value;
}
