import { describe, expect, it } from '@jest/globals';
import type { NewSigningKey } from './generate-signing-key.js';
import type { SigningKeyStore, StoredSigningKey } from './signing-key.repository.js';
import { SigningKeysService } from './signing-keys.service.js';

class FakeSigningKeyStore implements SigningKeyStore {
  keys: StoredSigningKey[] = [];
  creations = 0;

  constructor(private readonly now: () => number) {}

  findActive(): Promise<StoredSigningKey | undefined> {
    return Promise.resolve(this.keys.find((key) => key.retiredAt === null));
  }

  findPublishable(retiredAfter: Date): Promise<StoredSigningKey[]> {
    return Promise.resolve(this.keys.filter((key) => !key.retiredAt || key.retiredAt > retiredAfter).reverse());
  }

  async ensureActive(create: () => Promise<NewSigningKey>): Promise<StoredSigningKey> {
    const active = await this.findActive();
    if (active) return active;
    this.creations += 1;
    return this.add(await create());
  }

  sealPlaintextKeys(): Promise<number> {
    return Promise.resolve(0);
  }

  rotate(next: NewSigningKey): Promise<StoredSigningKey> {
    for (const key of this.keys) key.retiredAt ??= new Date(this.now());
    return Promise.resolve(this.add(next));
  }

  private add(key: NewSigningKey): StoredSigningKey {
    const stored = { ...key, createdAt: new Date(this.now()), retiredAt: null };
    this.keys.push(stored);
    return stored;
  }
}

function setup() {
  let now = 1_000_000_000_000;
  const clock = () => now;
  const store = new FakeSigningKeyStore(clock);
  const service = new SigningKeysService(store, { NP_ACCESS_TOKEN_TTL_SECONDS: 900, NP_SIGNING_KEY_CACHE_SECONDS: 60 }, clock);
  return { store, service, advance: (seconds: number) => (now += seconds * 1000) };
}

describe('SigningKeysService', () => {
  it('creates a key on first start and reuses the stored one afterwards', async () => {
    const { store, service } = setup();
    await service.onModuleInit();
    const kid = (await service.current()).kid;

    const restarted = new SigningKeysService(store, { NP_ACCESS_TOKEN_TTL_SECONDS: 900, NP_SIGNING_KEY_CACHE_SECONDS: 60 }, Date.now);
    await restarted.onModuleInit();

    expect(store.creations).toBe(1);
    expect((await restarted.current()).kid).toBe(kid);
  });

  it('publishes public keys only, tagged for ES256 signatures', async () => {
    const { service } = setup();
    await service.onModuleInit();
    const { keys } = await service.jwks();
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(keys[0]).not.toHaveProperty('d');
  });

  it('after rotation signs with the new key and keeps the old one published until its tokens expire', async () => {
    const { service, advance } = setup();
    await service.onModuleInit();
    const oldKid = (await service.current()).kid;

    const newKid = await service.rotate();

    expect(newKid).not.toBe(oldKid);
    expect((await service.current()).kid).toBe(newKid);
    expect((await service.jwks()).keys.map((key) => key.kid)).toEqual([newKid, oldKid]);
    advance(900 + 60 + 1);
    expect((await service.jwks()).keys.map((key) => key.kid)).toEqual([newKid]);
  });

  it('notices a rotation done by another replica once its cache expires', async () => {
    const { store, service, advance } = setup();
    await service.onModuleInit();
    const other = new SigningKeysService(store, { NP_ACCESS_TOKEN_TTL_SECONDS: 900, NP_SIGNING_KEY_CACHE_SECONDS: 60 }, Date.now);
    const rotatedKid = await other.rotate();

    expect((await service.current()).kid).not.toBe(rotatedKid);
    advance(61);
    expect((await service.current()).kid).toBe(rotatedKid);
  });
});
