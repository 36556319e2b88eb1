import { Inject, Injectable } from '@nestjs/common';
import { type EntityManager, LockMode } from '@mikro-orm/postgresql';
import type { Database } from '@np/persistence';
import { DATABASE } from '@np/runtime';
import { RefreshToken, type RefreshTokenRow } from '../entities/index.js';
import { classifyRefreshToken } from './refresh-token-rules.js';

export type StoredRefreshToken = Pick<RefreshTokenRow, 'id' | 'familyId' | 'userId' | 'tokenHash' | 'expiresAt' | 'usedAt' | 'revokedAt'>;
export type NewRefreshToken = Pick<RefreshTokenRow, 'id' | 'familyId' | 'userId' | 'tokenHash' | 'expiresAt'>;
export type RotationOutcome = 'rotated' | 'reused' | 'invalid';

/** What refresh-token handling needs from storage (a fake stands in for it in unit tests). */
export interface RefreshTokenStore {
  findByHash(tokenHash: string): Promise<StoredRefreshToken | undefined>;
  insert(token: NewRefreshToken, now: Date): Promise<void>;
  /**
   * Atomically consumes the token with this hash: when active it is marked used and `next(it)`
   * stored; when already used its whole family is revoked.
   */
  rotate(tokenHash: string, now: Date, next: (current: StoredRefreshToken) => NewRefreshToken): Promise<RotationOutcome>;
  revokeFamily(familyId: string, now: Date): Promise<void>;
}

@Injectable()
export class RefreshTokenRepository implements RefreshTokenStore {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  async findByHash(tokenHash: string): Promise<StoredRefreshToken | undefined> {
    const row = await this.db.em.fork().findOne(RefreshToken, { tokenHash });
    return row ? toStored(row) : undefined;
  }

  async insert(token: NewRefreshToken, now: Date): Promise<void> {
    await this.db.em.fork().insert(RefreshToken, { ...token, createdAt: now, usedAt: null, revokedAt: null });
  }

  async rotate(tokenHash: string, now: Date, next: (current: StoredRefreshToken) => NewRefreshToken): Promise<RotationOutcome> {
    return this.db.em.fork().transactional(async (em) => {
      // The row lock makes concurrent refreshes of one token queue here; the second sees it used.
      const row = await em.findOne(RefreshToken, { tokenHash }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!row) return 'invalid';
      const current = toStored(row);
      const state = classifyRefreshToken(current, now);
      if (state === 'reused') await revokeFamilyIn(em, current.familyId, now);
      if (state !== 'active') return state;
      await em.nativeUpdate(RefreshToken, { id: current.id }, { usedAt: now });
      await em.insert(RefreshToken, { ...next(current), createdAt: now, usedAt: null, revokedAt: null });
      return 'rotated';
    });
  }

  async revokeFamily(familyId: string, now: Date): Promise<void> {
    await revokeFamilyIn(this.db.em.fork(), familyId, now);
  }
}

export async function revokeFamilyIn(em: EntityManager, familyId: string, now: Date): Promise<void> {
  await em.nativeUpdate(RefreshToken, { familyId, revokedAt: null }, { revokedAt: now });
}

export async function revokeUserTokensIn(em: EntityManager, userId: string, now: Date): Promise<void> {
  await em.nativeUpdate(RefreshToken, { userId, revokedAt: null }, { revokedAt: now });
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
  };
}
