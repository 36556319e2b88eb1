import { describe, expect, it } from '@jest/globals';
import type { Identity } from '@np/users/contracts';
import { classifyRefreshToken, hashRefreshToken } from './refresh-token-rules.js';
import type { NewRefreshToken, RefreshTokenStore, RotationOutcome, StoredRefreshToken } from './refresh-token.repository.js';
import { RefreshTokensService } from './refresh-tokens.service.js';

class FakeRefreshTokenStore implements RefreshTokenStore {
  readonly rows: StoredRefreshToken[] = [];

  findByHash(tokenHash: string): Promise<StoredRefreshToken | undefined> {
    return Promise.resolve(this.rows.find((row) => row.tokenHash === tokenHash));
  }

  insert(token: NewRefreshToken): Promise<void> {
    this.rows.push({ ...token, usedAt: null, revokedAt: null });
    return Promise.resolve();
  }

  async rotate(tokenHash: string, now: Date, graceMs: number, next: (current: StoredRefreshToken) => NewRefreshToken): Promise<RotationOutcome> {
    const row = await this.findByHash(tokenHash);
    if (!row) return 'invalid';
    const state = classifyRefreshToken(row, now, graceMs);
    if (state === 'reused') await this.revokeFamily(row.familyId, now);
    if (state !== 'active') return state;
    row.usedAt = now;
    await this.insert(next(row));
    return 'rotated';
  }

  revokeFamily(familyId: string, now: Date): Promise<void> {
    for (const row of this.rows) if (row.familyId === familyId) row.revokedAt ??= now;
    return Promise.resolve();
  }
}

const ada: Identity = { id: '7d4f3a5e-1c2b-4a8e-9f0d-3b6c5a4e2d1f', email: 'ada@example.com', displayName: 'Ada', roles: ['member'] };

function setup(graceSeconds = 0) {
  let now = Date.parse('2026-01-01T12:00:00Z');
  const users = new Map<string, Identity>([[ada.id, ada]]);
  const store = new FakeRefreshTokenStore();
  const issued: Identity[] = [];
  const service = new RefreshTokensService(
    store,
    { byEmail: () => Promise.resolve(undefined), byId: (id) => Promise.resolve(users.get(id)) },
    {
      issue: (identity) => {
        issued.push(identity);
        return Promise.resolve({ accessToken: `access-for-${identity.id}`, expiresIn: 900 });
      },
    },
    { NP_REFRESH_TOKEN_TTL_SECONDS: 3600, NP_REFRESH_REUSE_GRACE_SECONDS: graceSeconds },
    () => now,
    { warn: () => undefined },
  );
  return { service, store, users, issued, advance: (seconds: number) => (now += seconds * 1000) };
}

describe('RefreshTokensService', () => {
  it('starts a session with a Bearer pair and stores only the refresh token hash', async () => {
    const { service, store } = setup();
    const pair = await service.start(ada);
    expect(pair).toMatchObject({ access_token: `access-for-${ada.id}`, token_type: 'Bearer', expires_in: 900 });
    expect(store.rows).toHaveLength(1);
    expect(store.rows[0]!.tokenHash).toBe(hashRefreshToken(pair.refresh_token));
    expect(JSON.stringify(store.rows)).not.toContain(pair.refresh_token);
  });

  it('rotates: the presented token is used up and a new one in the same family replaces it', async () => {
    const { service, store } = setup();
    const first = await service.start(ada);
    const second = await service.refresh(first.refresh_token);

    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(store.rows).toHaveLength(2);
    expect(store.rows[0]!.usedAt).not.toBeNull();
    expect(store.rows[1]!.familyId).toBe(store.rows[0]!.familyId);
    await expect(service.refresh(second.refresh_token)).resolves.toMatchObject({ token_type: 'Bearer' });
  });

  it('issues the new access token with the user as they are now', async () => {
    const { service, users, issued } = setup();
    const first = await service.start(ada);
    users.set(ada.id, { ...ada, roles: ['admin'] });
    await service.refresh(first.refresh_token);
    expect(issued.at(-1)!.roles).toEqual(['admin']);
  });

  it('answers reuse of a used token by revoking the whole family', async () => {
    const { service, store } = setup();
    const first = await service.start(ada);
    const second = await service.refresh(first.refresh_token);

    await expect(service.refresh(first.refresh_token)).rejects.toMatchObject({ code: 'refresh_token_reused' });
    expect(store.rows.every((row) => row.revokedAt !== null)).toBe(true);
    await expect(service.refresh(second.refresh_token)).rejects.toMatchObject({ code: 'refresh_token_invalid' });
  });

  it('hands the same successor to a refresh replayed within the grace window (two tabs), and treats a later one as theft', async () => {
    const { service, store, advance } = setup(10);
    const first = await service.start(ada);
    const second = await service.refresh(first.refresh_token);
    advance(5);
    const replay = await service.refresh(first.refresh_token);
    expect(replay.refresh_token).toBe(second.refresh_token);
    expect(store.rows).toHaveLength(2);
    advance(6);
    await expect(service.refresh(first.refresh_token)).rejects.toMatchObject({ code: 'refresh_token_reused' });
    await expect(service.refresh(second.refresh_token)).rejects.toMatchObject({ code: 'refresh_token_invalid' });
  });

  it('refuses unknown and expired tokens', async () => {
    const { service, advance } = setup();
    await expect(service.refresh('not-a-token')).rejects.toMatchObject({ code: 'refresh_token_invalid' });
    const pair = await service.start(ada);
    advance(3600);
    await expect(service.refresh(pair.refresh_token)).rejects.toMatchObject({ code: 'refresh_token_invalid' });
  });

  it('ends the session of a user who no longer exists', async () => {
    const { service, store, users } = setup();
    const pair = await service.start(ada);
    users.delete(ada.id);
    await expect(service.refresh(pair.refresh_token)).rejects.toMatchObject({ code: 'refresh_token_invalid' });
    expect(store.rows[0]!.revokedAt).not.toBeNull();
  });

  it('loses the race when the token was used between the check and the rotation', async () => {
    const { service, store } = setup();
    const pair = await service.start(ada);
    const rotate = store.rotate.bind(store);
    store.rotate = async (hash, now, graceMs, next) => {
      store.rows[0]!.usedAt = now; // another replica won
      return rotate(hash, now, graceMs, next);
    };
    await expect(service.refresh(pair.refresh_token)).rejects.toMatchObject({ code: 'refresh_token_reused' });
  });

  it('logout revokes the family and is silent about unknown tokens', async () => {
    const { service, store } = setup();
    const pair = await service.start(ada);
    await service.logout(pair.refresh_token);
    await service.logout(pair.refresh_token);
    await service.logout('unknown');
    expect(store.rows[0]!.revokedAt).not.toBeNull();
    await expect(service.refresh(pair.refresh_token)).rejects.toMatchObject({ code: 'refresh_token_invalid' });
  });
});
