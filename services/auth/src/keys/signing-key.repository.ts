import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '@np/observability';
import type { Database } from '@np/persistence';
import { DATABASE, LOGGER, SETTINGS } from '@np/runtime';
import type { JWK } from 'jose';
import { SigningKey, type SigningKeyRow } from '../entities/index.js';
import type { AuthSettings } from '../settings.js';
import type { NewSigningKey } from './generate-signing-key.js';
import { isSealedPrivateKey, PrivateKeySealer } from './private-key-sealing.js';

/** A signing key as the service sees it: the private key already decrypted. */
export interface StoredSigningKey extends Pick<SigningKeyRow, 'kid' | 'publicJwk' | 'createdAt' | 'retiredAt'> {
  privateJwk: JWK;
}

/** What the signing-keys service needs from storage (a fake stands in for it in unit tests). */
export interface SigningKeyStore {
  findActive(): Promise<StoredSigningKey | undefined>;
  /** The active key and keys retired after `retiredAfter`, newest first. */
  findPublishable(retiredAfter: Date): Promise<StoredSigningKey[]>;
  /** Returns the active key, storing `create()`'s key first when there is none. */
  ensureActive(create: () => Promise<NewSigningKey>): Promise<StoredSigningKey>;
  /** Retires the active key and makes `next` the active one. */
  rotate(next: NewSigningKey): Promise<StoredSigningKey>;
  /** Encrypts private keys still stored in plain text (written before keys were sealed); returns how many. */
  sealPlaintextKeys(): Promise<number>;
}

/** Signing keys in the auth schema, private keys sealed with `NP_SIGNING_KEY_ENCRYPTION_KEY` on the way in and opened on the way out. */
@Injectable()
export class SigningKeyRepository implements SigningKeyStore {
  private readonly lockName: string;
  private readonly sealer: PrivateKeySealer;

  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(SETTINGS) settings: AuthSettings,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.lockName = `${settings.NP_AUTH_SCHEMA}.signing_keys`;
    this.sealer = new PrivateKeySealer(settings.NP_SIGNING_KEY_ENCRYPTION_KEY);
  }

  async findActive(): Promise<StoredSigningKey | undefined> {
    return this.findActiveIn(this.db.em.fork());
  }

  async findPublishable(retiredAfter: Date): Promise<StoredSigningKey[]> {
    const rows = await this.db.em
      .fork()
      .find(SigningKey, { $or: [{ retiredAt: null }, { retiredAt: { $gt: retiredAfter } }] }, { orderBy: { createdAt: 'desc' } });
    return Promise.all(rows.map((row) => this.toStored(row)));
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

  async sealPlaintextKeys(): Promise<number> {
    const sealed = await this.db.em.fork().transactional(async (em) => {
      await this.lock(em);
      let count = 0;
      for (const row of await em.find(SigningKey, {})) {
        if (isSealedPrivateKey(row.privateJwk)) continue;
        await em.nativeUpdate(SigningKey, { kid: row.kid }, { privateJwk: await this.sealer.seal(row.kid, row.privateJwk) });
        count += 1;
      }
      return count;
    });
    if (sealed > 0) this.logger.info({ keys: sealed }, 'encrypted signing private keys stored in plain text');
    return sealed;
  }

  /** Serialises key creation (and sealing) across replicas sharing the database. */
  private async lock(em: EntityManager): Promise<void> {
    await em.execute('select pg_advisory_xact_lock(hashtext(?))', [this.lockName]);
  }

  private async findActiveIn(em: EntityManager): Promise<StoredSigningKey | undefined> {
    const row = await em.findOne(SigningKey, { retiredAt: null });
    return row ? this.toStored(row) : undefined;
  }

  private async insert(em: EntityManager, key: NewSigningKey): Promise<StoredSigningKey> {
    const stored: StoredSigningKey = { ...key, createdAt: new Date(), retiredAt: null };
    await em.insert(SigningKey, { ...stored, privateJwk: await this.sealer.seal(key.kid, key.privateJwk) });
    return stored;
  }

  private async toStored(row: SigningKeyRow): Promise<StoredSigningKey> {
    // A row not sealed yet (sealPlaintextKeys runs at start) is still readable.
    const privateJwk = isSealedPrivateKey(row.privateJwk) ? await this.sealer.open(row.kid, row.privateJwk) : row.privateJwk;
    return { kid: row.kid, privateJwk, publicJwk: row.publicJwk, createdAt: row.createdAt, retiredAt: row.retiredAt ?? null };
  }
}
