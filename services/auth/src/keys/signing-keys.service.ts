import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Jwks } from '@np/contracts';
import { SETTINGS } from '@np/runtime';
import { type CryptoKey, importJWK } from 'jose';
import { CLOCK, type Clock } from '../clock.js';
import type { AuthSettings } from '../settings.js';
import { generateSigningKey, SIGNING_ALGORITHM } from './generate-signing-key.js';
import { SigningKeyRepository, type SigningKeyStore, type StoredSigningKey } from './signing-key.repository.js';

export interface ActiveSigningKey {
  kid: string;
  privateKey: CryptoKey;
}

/** Where the token issuer gets the key to sign with. */
export interface SigningKeySource {
  current(): Promise<ActiveSigningKey>;
}

type KeySettings = Pick<AuthSettings, 'NP_ACCESS_TOKEN_TTL_SECONDS' | 'NP_SIGNING_KEY_CACHE_SECONDS'>;

/**
 * The issuer's ES256 keys: created on first start, shared by every replica through the database
 * (private keys encrypted at rest; plain-text ones left from before are encrypted at start),
 * rotated on demand. The active key is cached for a short while so a rotation done by another
 * replica is picked up without a restart.
 */
@Injectable()
export class SigningKeysService implements SigningKeySource, OnModuleInit {
  private cached?: { key: ActiveSigningKey; loadedAt: number };

  constructor(
    @Inject(SigningKeyRepository) private readonly store: SigningKeyStore,
    @Inject(SETTINGS) private readonly settings: KeySettings,
    @Inject(CLOCK) private readonly now: Clock,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.store.sealPlaintextKeys();
    await this.cache(await this.store.ensureActive(generateSigningKey));
  }

  async current(): Promise<ActiveSigningKey> {
    if (this.cached && this.now() - this.cached.loadedAt < this.settings.NP_SIGNING_KEY_CACHE_SECONDS * 1000) {
      return this.cached.key;
    }
    const stored = (await this.store.findActive()) ?? (await this.store.ensureActive(generateSigningKey));
    return this.cache(stored);
  }

  /** Public keys a verifier may meet: the active one and those retired too recently for their tokens to have expired. */
  async jwks(): Promise<Jwks> {
    const keys = await this.store.findPublishable(new Date(this.now() - this.retentionMs()));
    return { keys: keys.map((key) => ({ ...key.publicJwk })) };
  }

  /** Makes a new key the signing key; the old one stays in the JWKS until its tokens expire. */
  async rotate(): Promise<string> {
    const stored = await this.store.rotate(await generateSigningKey());
    return (await this.cache(stored)).kid;
  }

  private retentionMs(): number {
    return (this.settings.NP_ACCESS_TOKEN_TTL_SECONDS + this.settings.NP_SIGNING_KEY_CACHE_SECONDS) * 1000;
  }

  private async cache(stored: StoredSigningKey): Promise<ActiveSigningKey> {
    const privateKey = await importJWK(stored.privateJwk, SIGNING_ALGORITHM);
    if (privateKey instanceof Uint8Array) throw new Error(`Signing key ${stored.kid} is not an asymmetric key.`);
    const key = { kid: stored.kid, privateKey };
    this.cached = { key, loadedAt: this.now() };
    return key;
  }
}
