import { createHash, randomBytes } from 'node:crypto';

export type RefreshTokenState = 'active' | 'reused' | 'invalid';

export interface RefreshTokenStatus {
  expiresAt: Date;
  usedAt?: Date | null;
  revokedAt?: Date | null;
}

/**
 * A used token presented again means it was copied: someone else holds the family, so the
 * caller revokes it. Revoked or expired tokens are simply invalid.
 */
export function classifyRefreshToken(token: RefreshTokenStatus, now: Date): RefreshTokenState {
  if (token.revokedAt) return 'invalid';
  if (token.usedAt) return 'reused';
  if (token.expiresAt.getTime() <= now.getTime()) return 'invalid';
  return 'active';
}

/** What the client holds: 32 random bytes, base64url; only its hash is ever stored. */
export function newRefreshTokenValue(): string {
  return randomBytes(32).toString('base64url');
}

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
