import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** RabbitMQ's internal hashing modules and the digest each one uses. */
const DIGESTS: Record<string, string> = {
  rabbit_password_hashing_sha256: 'sha256',
  rabbit_password_hashing_sha512: 'sha512',
  rabbit_password_hashing_md5: 'md5',
};

/**
 * Whether `password` is the one behind a user's `password_hash` as the management API shows it to
 * an administrator: base64 of a 4-byte salt followed by digest(salt ++ password), RabbitMQ's
 * `rabbit_password` scheme. Checking here costs no request beyond the GET of the user that is
 * made anyway, and no login attempt (which would count against the user and show in the logs).
 * An unknown algorithm or an empty hash (a user without a password) counts as a mismatch, so the
 * password is set again.
 */
export function matchesPasswordHash(password: string, passwordHash: string, algorithm: string): boolean {
  const digest = DIGESTS[algorithm];
  if (digest === undefined || passwordHash === '') return false;
  const stored = Buffer.from(passwordHash, 'base64');
  if (stored.length <= 4) return false;
  const salt = stored.subarray(0, 4);
  const computed = createHash(digest).update(salt).update(password, 'utf8').digest();
  const expected = stored.subarray(4);
  return computed.length === expected.length && timingSafeEqual(computed, expected);
}

export const HASHING_ALGORITHM = 'rabbit_password_hashing_sha256';

/**
 * The same scheme with a fresh salt, sent as `password_hash` in PUT /api/users: the plain password
 * never travels to the management API (plain HTTP in many clusters) nor into its logs.
 */
export function rabbitPasswordHash(password: string, salt: Buffer = randomBytes(4)): string {
  return Buffer.concat([salt, createHash('sha256').update(salt).update(password, 'utf8').digest()]).toString('base64');
}
