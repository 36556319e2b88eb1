import { createHash, createHmac, randomBytes } from 'node:crypto';

/**
 * `replayed`: used moments ago (within the grace window), as when two tabs refresh at once; the
 * caller hands out the same successor instead of treating it as theft.
 */
export type RefreshTokenState = 'active' | 'replayed' | 'reused' | 'invalid';

export interface RefreshTokenStatus {
  expiresAt: Date;
  usedAt?: Date | null;
  revokedAt?: Date | null;
  familySecret?: string | null;
}

/**
 * A used token presented again after the grace window means it was copied: someone else holds
 * the family, so the caller revokes it. Revoked or expired tokens are simply invalid.
 */
export function classifyRefreshToken(token: RefreshTokenStatus, now: Date, graceMs = 0): RefreshTokenState {
  if (token.revokedAt) return 'invalid';
  if (token.usedAt) {
    const withinGrace = graceMs > 0 && now.getTime() - token.usedAt.getTime() <= graceMs;
    return withinGrace && token.familySecret ? 'replayed' : 'reused';
  }
  if (token.expiresAt.getTime() <= now.getTime()) return 'invalid';
  return 'active';
}

/** What the client holds: 32 random bytes, base64url; only its hash is ever stored. */
export function newRefreshTokenValue(): string {
  return randomBytes(32).toString('base64url');
}

/** A new family's secret: only the database knows it, so a stolen token cannot be used to predict its successor. */
export function newFamilySecret(): string {
  return randomBytes(32).toString('base64url');
}

/** The token that replaces `presented`: the same for every replay of `presented`, unguessable without the family secret. */
export function successorOf(presented: string, familySecret: string): string {
  return createHmac('sha256', familySecret).update(presented, 'utf8').digest('base64url');
}

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
