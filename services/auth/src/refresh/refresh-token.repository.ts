import { Inject, Injectable } from '@nestjs/common';
import { type EntityManager, LockMode } from '@mikro-orm/postgresql';
import type { Database } from '@np/persistence';
import { DATABASE } from '@np/runtime';
import { RefreshToken, type RefreshTokenRow } from '../entities/index.js';
import { RevocationRecorder } from '../revocations/revocation-recorder.js';
import { classifyRefreshToken } from './refresh-token-rules.js';

export type StoredRefreshToken = Pick<RefreshTokenRow, 'id' | 'familyId' | 'userId' | 'tokenHash' | 'expiresAt' | 'usedAt' | 'revokedAt' | 'familySecret'>;
export type NewRefreshToken = Pick<RefreshTokenRow, 'id' | 'familyId' | 'userId' | 'tokenHash' | 'expiresAt' | 'familySecret'>;
export type RotationOutcome = 'rotated' | 'replayed' | 'reused' | 'invalid';

/** What refresh-token handling needs from storage (a fake stands in for it in unit tests). */
export interface RefreshTokenStore {
  findByHash(tokenHash: string): Promise<StoredRefreshToken | undefined>;
  insert(token: NewRefreshToken, now: Date): Promise<void>;
  /**
   * Atomically consumes the token with this hash: when active it is marked used and `next(it)`
   * stored; when used within the grace window nothing changes (`replayed`: its successor is
   * already stored); when used before that its whole family is revoked.
   */
  rotate(tokenHash: string, now: Date, graceMs: number, next: (current: StoredRefreshToken) => NewRefreshToken): Promise<RotationOutcome>;
  /** Ends a session: its refresh tokens stop working and its access tokens are refused everywhere. */
  revokeFamily(familyId: string, now: Date): Promise<void>;
}

@Injectable()
export class RefreshTokenRepository implements RefreshTokenStore {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(RevocationRecorder) private readonly revocations: RevocationRecorder,
  ) {}

  async findByHash(tokenHash: string): Promise<StoredRefreshToken | undefined> {
    const row = await this.db.em.fork().findOne(RefreshToken, { tokenHash });
    return row ? toStored(row) : undefined;
  }

  async insert(token: NewRefreshToken, now: Date): Promise<void> {
    await this.db.em.fork().insert(RefreshToken, { ...token, createdAt: now, usedAt: null, revokedAt: null });
  }

  async rotate(tokenHash: string, now: Date, graceMs: number, next: (current: StoredRefreshToken) => NewRefreshToken): Promise<RotationOutcome> {
    const outcome = await this.db.em.fork().transactional(async (em) => {
      // The row lock makes concurrent refreshes of one token queue here; the second sees it used.
      const row = await em.findOne(RefreshToken, { tokenHash }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!row) return 'invalid';
      const current = toStored(row);
      const state = classifyRefreshToken(current, now, graceMs);
      if (state === 'reused') await revokeSessionsIn(em, this.revocations, { familyId: current.familyId }, now);
      if (state !== 'active') return state;
      await em.nativeUpdate(RefreshToken, { id: current.id }, { usedAt: now });
      await em.insert(RefreshToken, { ...next(current), createdAt: now, usedAt: null, revokedAt: null });
      return 'rotated';
    });
    if (outcome === 'reused') this.revocations.announce();
    return outcome;
  }

  async revokeFamily(familyId: string, now: Date): Promise<void> {
    const revoked = await this.db.em.fork().transactional((em) => revokeSessionsIn(em, this.revocations, { familyId }, now));
    if (revoked > 0) this.revocations.announce();
  }
}

/**
 * Revokes the live refresh tokens matching `where` and records a revocation for each session
 * they belonged to, in the caller's transaction. Returns how many sessions ended.
 */
export async function revokeSessionsIn(
  em: EntityManager,
  revocations: RevocationRecorder,
  where: { familyId: string } | { userId: string; familyId?: { $ne: string } },
  now: Date,
): Promise<number> {
  const live = await em.find(RefreshToken, { ...where, revokedAt: null }, { fields: ['familyId', 'userId'] });
  if (live.length === 0) return 0;
  await em.nativeUpdate(RefreshToken, { ...where, revokedAt: null }, { revokedAt: now });
  const sessions = new Map(live.map((row) => [row.familyId, row.userId]));
  for (const [familyId, userId] of sessions) await revocations.sessionsRevokedIn(em, userId, [familyId], now);
  return sessions.size;
}

function toStored(row: RefreshTokenRow): StoredRefreshToken {
  return {
    id: row.id,
    familyId: row.familyId,
    userId: row.userId,
    tokenHash: row.tokenHash,
    expiresAt: row.expiresAt,
    usedAt: row.usedAt ?? null,
    revokedAt: row.revokedAt ?? null,
    familySecret: row.familySecret ?? null,
  };
}
