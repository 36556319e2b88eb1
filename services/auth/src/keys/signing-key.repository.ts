import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Database } from '@np/persistence';
import { DATABASE, SETTINGS } from '@np/runtime';
import { SigningKey, type SigningKeyRow } from '../entities/index.js';
import type { AuthSettings } from '../settings.js';
import type { NewSigningKey } from './generate-signing-key.js';

export type StoredSigningKey = Pick<SigningKeyRow, 'kid' | 'privateJwk' | 'publicJwk' | 'createdAt' | 'retiredAt'>;

/** What the signing-keys service needs from storage (a fake stands in for it in unit tests). */
export interface SigningKeyStore {
  findActive(): Promise<StoredSigningKey | undefined>;
  /** The active key and keys retired after `retiredAfter`, newest first. */
  findPublishable(retiredAfter: Date): Promise<StoredSigningKey[]>;
  /** Returns the active key, storing `create()`'s key first when there is none. */
  ensureActive(create: () => Promise<NewSigningKey>): Promise<StoredSigningKey>;
  /** Retires the active key and makes `next` the active one. */
  rotate(next: NewSigningKey): Promise<StoredSigningKey>;
}

@Injectable()
export class SigningKeyRepository implements SigningKeyStore {
  private readonly lockName: string;

  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(SETTINGS) settings: AuthSettings,
  ) {
    this.lockName = `${settings.NP_AUTH_SCHEMA}.signing_keys`;
  }

  async findActive(): Promise<StoredSigningKey | undefined> {
    return this.findActiveIn(this.db.em.fork());
  }

  async findPublishable(retiredAfter: Date): Promise<StoredSigningKey[]> {
    const rows = await this.db.em
      .fork()
      .find(SigningKey, { $or: [{ retiredAt: null }, { retiredAt: { $gt: retiredAfter } }] }, { orderBy: { createdAt: 'desc' } });
    return rows.map(toStored);
  }

  async ensureActive(create: () => Promise<NewSigningKey>): Promise<StoredSigningKey> {
    return this.db.em.fork().transactional(async (em) => {
      await this.lock(em);
      const active = await this.findActiveIn(em);
      if (active) return active;
      return this.insert(em, await create());
    });
  }

  async rotate(next: NewSigningKey): Promise<StoredSigningKey> {
    return this.db.em.fork().transactional(async (em) => {
      await this.lock(em);
      await em.nativeUpdate(SigningKey, { retiredAt: null }, { retiredAt: new Date() });
      return this.insert(em, next);
    });
  }

  /** Serialises key creation across replicas sharing the database. */
  private async lock(em: EntityManager): Promise<void> {
    await em.execute('select pg_advisory_xact_lock(hashtext(?))', [this.lockName]);
  }

  private async findActiveIn(em: EntityManager): Promise<StoredSigningKey | undefined> {
    const row = await em.findOne(SigningKey, { retiredAt: null });
    return row ? toStored(row) : undefined;
  }

  private async insert(em: EntityManager, key: NewSigningKey): Promise<StoredSigningKey> {
    const row: StoredSigningKey = { ...key, createdAt: new Date(), retiredAt: null };
    await em.insert(SigningKey, row);
    return row;
  }
}

function toStored(row: SigningKeyRow): StoredSigningKey {
  return { kid: row.kid, privateJwk: row.privateJwk, publicJwk: row.publicJwk, createdAt: row.createdAt, retiredAt: row.retiredAt ?? null };
}
