import type { Principal, Revocations, RevokedSession, UserTokenCutoff } from '@np/contracts';

/**
 * Access tokens that are valid by signature but must no longer be honoured: those of revoked
 * sessions (logout, password change, refresh-token reuse) and those a user held before a
 * cut-off (deletion, role change). Entries live only until every token they concern has
 * expired, so the list stays as small as the revocations of one access-token lifetime.
 */
export class RevocationList {
  private readonly sessions = new Map<string, number>();
  private readonly cutoffs = new Map<string, { notBefore: number; expiresAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  revokeSession(session: RevokedSession): void {
    const expiresAt = Date.parse(session.expiresAt);
    this.sessions.set(session.sessionId, Math.max(expiresAt, this.sessions.get(session.sessionId) ?? 0));
  }

  cutOffUser(cutoff: UserTokenCutoff): void {
    const current = this.cutoffs.get(cutoff.userId);
    const notBefore = Date.parse(cutoff.notBefore);
    const expiresAt = Date.parse(cutoff.expiresAt);
    this.cutoffs.set(cutoff.userId, {
      notBefore: Math.max(notBefore, current?.notBefore ?? 0),
      expiresAt: Math.max(expiresAt, current?.expiresAt ?? 0),
    });
  }

  /** Adds a snapshot to what is known; events that arrived while it was loading are kept. */
  merge(snapshot: Revocations): void {
    for (const session of snapshot.sessions) this.revokeSession(session);
    for (const cutoff of snapshot.users) this.cutOffUser(cutoff);
  }

  isRevoked(principal: Pick<Principal, 'sub' | 'sid' | 'iat'>): boolean {
    if (principal.sid !== undefined && this.sessions.has(principal.sid)) return true;
    const cutoff = this.cutoffs.get(principal.sub);
    // iat is in seconds (ours carry milliseconds as fractions); a whole-second iat from another
    // issuer errs on the side of refusing a token issued within the cut-off's second.
    return cutoff !== undefined && principal.iat * 1000 < cutoff.notBefore;
  }

  /** Forgets entries whose tokens have all expired. */
  prune(): void {
    const now = this.now();
    for (const [sid, expiresAt] of this.sessions) if (expiresAt <= now) this.sessions.delete(sid);
    for (const [userId, cutoff] of this.cutoffs) if (cutoff.expiresAt <= now) this.cutoffs.delete(userId);
  }

  get size(): number {
    return this.sessions.size + this.cutoffs.size;
  }
}
