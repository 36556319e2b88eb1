import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { TokenPair } from '@np/contracts';
import type { Identity } from '@np/users/contracts';
import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { type AuthHarness, registerUser, startAuthHarness } from './auth-harness.js';

describe('refresh, logout and password change (real PostgreSQL)', () => {
  let harness: AuthHarness;
  let counter = 0;

  const login = async (roles: Identity['roles'] = ['member']): Promise<{ user: Identity; pair: TokenPair }> => {
    counter += 1;
    const email = `user${counter}@example.com`;
    const user = await registerUser(harness, email, 'correct horse battery', roles);
    const pair = await harness.client.call('auth.login', { email, password: 'correct horse battery', ip: '10.0.0.1' });
    return { user, pair };
  };
  const refresh = (token: string) => harness.client.call('auth.refresh', { refresh_token: token });

  beforeAll(async () => {
    harness = await startAuthHarness();
  });

  afterAll(async () => {
    await harness.close();
  });

  it('rotates: a refresh answers a new pair and stores only hashes', async () => {
    const { user, pair } = await login();
    const next = await refresh(pair.refresh_token);

    expect(next.refresh_token).not.toBe(pair.refresh_token);
    expect(decodeJwt(next.access_token).sub).toBe(user.id);
    const rows = await harness.query<{ family_id: string; used_at: Date | null; token_hash: string }>(
      'select family_id, used_at, token_hash from $schema.refresh_tokens where user_id = $1 order by created_at',
      [user.id],
    );
    expect(rows).toHaveLength(2);
    expect(rows[0]!.family_id).toBe(rows[1]!.family_id);
    expect(rows[0]!.used_at).not.toBeNull();
    expect(rows[1]!.used_at).toBeNull();
    expect(rows.map((row) => row.token_hash)).not.toContain(pair.refresh_token);
    await expect(refresh(next.refresh_token)).resolves.toMatchObject({ token_type: 'Bearer' });
  });

  it('puts the user’s current roles in the refreshed access token', async () => {
    const { user, pair } = await login(['member']);
    harness.users.byId.set(user.id, { ...user, roles: ['admin'] });
    const next = await refresh(pair.refresh_token);
    expect(decodeJwt(next.access_token).roles).toEqual(['admin']);
  });

  it('gives two concurrent refreshes of one token (two tabs) the same new refresh token within the grace window', async () => {
    const { pair } = await login();
    const [first, second] = await Promise.all([refresh(pair.refresh_token), refresh(pair.refresh_token)]);

    expect(second.refresh_token).toBe(first.refresh_token);
    expect(decodeJwt(second.access_token).sid).toBe(decodeJwt(first.access_token).sid);
    // The shared successor is a normal token of the session: it rotates once more.
    await expect(refresh(first.refresh_token)).resolves.toMatchObject({ token_type: 'Bearer' });
  });

  it('names the session in every access token of it (sid), with a millisecond iat', async () => {
    const { pair } = await login();
    const next = await refresh(pair.refresh_token);
    const claims = decodeJwt(next.access_token);
    expect(claims.sid).toBe(decodeJwt(pair.access_token).sid);
    expect(typeof claims.iat).toBe('number');
  });

  it('refuses unknown tokens', async () => {
    await expect(refresh('A'.repeat(43))).rejects.toMatchObject({ code: 'refresh_token_invalid' });
  });

  it('refuses expired tokens', async () => {
    const { user, pair } = await login();
    await harness.query(`update $schema.refresh_tokens set expires_at = now() - interval '1 second' where user_id = $1`, [user.id]);
    await expect(refresh(pair.refresh_token)).rejects.toMatchObject({ code: 'refresh_token_invalid' });
  });

  it('ends the session of a user the users module no longer knows', async () => {
    const { user, pair } = await login();
    harness.users.remove(user.id);
    await expect(refresh(pair.refresh_token)).rejects.toMatchObject({ code: 'refresh_token_invalid' });
    const rows = await harness.query<{ revoked_at: Date | null }>('select revoked_at from $schema.refresh_tokens where user_id = $1', [user.id]);
    expect(rows.every((row) => row.revoked_at !== null)).toBe(true);
  });

  it('logout revokes the session and answers ok for any token', async () => {
    const { pair } = await login();
    const next = await refresh(pair.refresh_token);

    await expect(harness.client.call('auth.logout', { refresh_token: pair.refresh_token })).resolves.toEqual({ ok: true });
    await expect(harness.client.call('auth.logout', { refresh_token: pair.refresh_token })).resolves.toEqual({ ok: true });
    await expect(harness.client.call('auth.logout', { refresh_token: 'never-issued' })).resolves.toEqual({ ok: true });
    await expect(refresh(next.refresh_token)).rejects.toMatchObject({ code: 'refresh_token_invalid' });
  });

  it('logout records the revoked session and announces it through the outbox', async () => {
    const { user, pair } = await login();
    const sid = decodeJwt(pair.access_token).sid as string;
    await harness.client.call('auth.logout', { refresh_token: pair.refresh_token });

    const rows = await harness.query<{ kind: string; subject: string }>('select kind, subject from $schema.revocations where user_id = $1', [user.id]);
    expect(rows).toEqual([{ kind: 'session', subject: sid }]);
    const events = await harness.query<{ name: string; payload: { sessionId: string } }>(`select name, payload from $schema.outbox where name = 'auth.session.revoked'`);
    expect(events.map((event) => event.payload.sessionId)).toContain(sid);
    expect((await harness.clientAs('gateway').call('auth.revocations.list', {})).sessions.map((session) => session.sessionId)).toContain(sid);
  });

  it('a password change made in one session keeps that session and ends the others', async () => {
    const { user, pair } = await login();
    const other = await harness.client.call('auth.login', { email: user.email, password: 'correct horse battery', ip: '10.0.0.2' });
    const keep = decodeJwt(pair.access_token).sid as string;

    await harness.client.call('auth.credentials.set', { userId: user.id, password: 'a brand new secret', keepSessionId: keep });

    await expect(refresh(pair.refresh_token)).resolves.toMatchObject({ token_type: 'Bearer' });
    await expect(refresh(other.refresh_token)).rejects.toMatchObject({ code: 'refresh_token_invalid' });
    const revoked = (await harness.clientAs('gateway').call('auth.revocations.list', {})).sessions.map((session) => session.sessionId);
    expect(revoked).toContain(decodeJwt(other.access_token).sid);
    expect(revoked).not.toContain(keep);
  });

  it('a password change revokes every session of the user', async () => {
    const { user, pair } = await login();
    const other = await harness.client.call('auth.login', { email: user.email, password: 'correct horse battery', ip: '10.0.0.2' });

    await harness.client.call('auth.credentials.set', { userId: user.id, password: 'a brand new secret' });

    await expect(refresh(pair.refresh_token)).rejects.toMatchObject({ code: 'refresh_token_invalid' });
    await expect(refresh(other.refresh_token)).rejects.toMatchObject({ code: 'refresh_token_invalid' });
    await expect(harness.client.call('auth.login', { email: user.email, password: 'correct horse battery', ip: '10.0.0.3' })).rejects.toMatchObject({
      code: 'invalid_credentials',
    });
    await expect(harness.client.call('auth.login', { email: user.email, password: 'a brand new secret', ip: '10.0.0.3' })).resolves.toMatchObject({
      token_type: 'Bearer',
    });
  });
});

describe('refresh without a grace window (real PostgreSQL)', () => {
  let harness: AuthHarness;
  beforeAll(async () => {
    harness = await startAuthHarness({ NP_REFRESH_REUSE_GRACE_SECONDS: '0' });
  });
  afterAll(async () => {
    await harness.close();
  });
  const session = async () => {
    const user = await registerUser(harness, `nograce${randomUUID()}@example.com`, 'correct horse battery');
    return harness.client.call('auth.login', { email: user.email, password: 'correct horse battery', ip: '10.0.0.1' });
  };
  const refresh = (token: string) => harness.client.call('auth.refresh', { refresh_token: token });

  it('detects reuse of a used token and revokes the whole family', async () => {
    const pair = await session();
    const next = await refresh(pair.refresh_token);

    await expect(refresh(pair.refresh_token)).rejects.toMatchObject({ code: 'refresh_token_reused' });
    await expect(refresh(next.refresh_token)).rejects.toMatchObject({ code: 'refresh_token_invalid' });
    const revoked = (await harness.clientAs('gateway').call('auth.revocations.list', {})).sessions.map((entry) => entry.sessionId);
    expect(revoked).toContain(decodeJwt(pair.access_token).sid);
  });

  it('lets exactly one of two concurrent refreshes of one token win', async () => {
    const pair = await session();
    const outcomes = await Promise.allSettled([refresh(pair.refresh_token), refresh(pair.refresh_token)]);

    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    const [lost] = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect(lost!.reason).toMatchObject({ code: 'refresh_token_reused' });
  });
});
