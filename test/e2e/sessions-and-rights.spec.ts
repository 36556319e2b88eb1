import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { connect } from 'amqplib';
import { decodeJwt } from 'jose';
import pg from 'pg';
import { waitUntil } from '../harness/child-process.js';
import { ApiClient, type ApiResponse } from '../harness/http-client.js';
import { ADMIN, type PlatformUnderTest, shapeUnderTest } from '../harness/platform.js';
import { startSession } from '../harness/session.js';
import { PLATFORM_CLOSE_MS, PLATFORM_STARTUP_MS } from '../harness/shapes.js';
import { platformRoles } from './tokens.js';

// Attacks on accounts and sessions, through the gateway, in both shapes: privilege by rank, the
// last admin, revocation of access tokens (deletion, demotion, logout, password change) across
// gateway replicas, and, in the distributed shape, a process on the bus trying to speak for
// someone else.
const shape = shapeUnderTest();
const REVOCATION_DEADLINE_MS = 5000;
let platform: PlatformUnderTest;
let api: ApiClient;
let rootToken: string;

beforeAll(async () => ({ platform, api, adminToken: rootToken } = await startSession(shape)), PLATFORM_STARTUP_MS);
afterAll(() => platform?.close(), PLATFORM_CLOSE_MS);

interface Account {
  id: string;
  email: string;
  password: string;
  token: string;
  refresh: string;
}

async function account(roles: string[]): Promise<Account> {
  const email = `acct-${randomUUID().slice(0, 8)}@e2e.test`;
  const password = 'a-good-password';
  const created = await api.request<{ id: string }>('POST', '/v1/users', { token: rootToken, json: { email, displayName: 'Acct', password, roles } });
  expect(created.status).toBe(201);
  const pair = await api.login(email, password);
  return { id: created.body.id, email, password, token: pair.access_token, refresh: pair.refresh_token };
}

function expectError(response: ApiResponse<unknown>, status: number, code: string): void {
  expect({ status: response.status, code: (response.body as { code?: string }).code }).toEqual({ status, code });
}

/** Waits until the gateway refuses the token as revoked (revocations travel as events). */
async function revoked(token: string, client: ApiClient = api): Promise<void> {
  const code = async () => ((await client.request('GET', '/v1/auth/me', { token })).body as { code?: string }).code;
  await waitUntil('the access token to be revoked', async () => (await code()) === 'token_revoked', REVOCATION_DEADLINE_MS);
}

describe(`accounts and sessions (${shape})`, () => {
  describe('rank', () => {
    it('forbids a manager to take over an admin (password, email, profile), and the admin password keeps working', async () => {
      const admin = await account(['admin']);
      const manager = await account(['manager']);
      for (const json of [{ password: 'taken-over-now' }, { email: `evil-${randomUUID().slice(0, 6)}@e2e.test` }, { displayName: 'Pwned' }]) {
        expectError(await api.request('PATCH', `/v1/users/${admin.id}`, { token: manager.token, json }), 403, 'forbidden');
      }
      await expect(api.login(admin.email, admin.password)).resolves.toMatchObject({ access_token: expect.any(String) });
      expectError(await api.request('POST', '/v1/auth/login', { json: { email: admin.email, password: 'taken-over-now' } }), 401, 'invalid_credentials');
    });
  });

  describe('own password and email', () => {
    it('need the current password: missing 400, wrong 403', async () => {
      const member = await account(['member']);
      expectError(await api.request('PATCH', `/v1/users/${member.id}`, { token: member.token, json: { password: 'brand-new-pass' } }), 400, 'validation_failed');
      expectError(
        await api.request('PATCH', `/v1/users/${member.id}`, { token: member.token, json: { email: 'x@e2e.test', currentPassword: 'wrong-one' } }),
        403,
        'current_password_invalid',
      );
    });

    it('a password change keeps the session that made it and revokes the others, access tokens included', async () => {
      const member = await account(['member']);
      const other = await api.login(member.email, member.password);
      const changed = await api.request('PATCH', `/v1/users/${member.id}`, {
        token: member.token,
        json: { password: 'brand-new-pass', currentPassword: member.password },
      });
      expect(changed.status).toBe(200);
      await revoked(other.access_token);
      expectError(await api.request('POST', '/v1/auth/refresh', { json: { refresh_token: other.refresh_token } }), 401, 'refresh_token_invalid');
      expect((await api.request('GET', '/v1/auth/me', { token: member.token })).status).toBe(200);
      expect((await api.request('POST', '/v1/auth/refresh', { json: { refresh_token: member.refresh } })).status).toBe(200);
    });
  });

  describe('revocation of access tokens', () => {
    it('a deleted admin’s token can no longer create an admin', async () => {
      const doomed = await account(['admin']);
      expect((await api.request('DELETE', `/v1/users/${doomed.id}`, { token: rootToken })).status).toBe(204);
      await revoked(doomed.token);
      const attempt = await api.request('POST', '/v1/users', {
        token: doomed.token,
        json: { email: `ghost-${randomUUID().slice(0, 6)}@e2e.test`, displayName: 'Ghost', password: 'ghost-password', roles: ['admin'] },
      });
      expectError(attempt, 401, 'token_revoked');
    });

    it('a demoted admin’s token loses its powers; a refresh carries the new roles', async () => {
      const demoted = await account(['admin']);
      const patched = await api.request('PATCH', `/v1/users/${demoted.id}`, { token: rootToken, json: { roles: ['member'] } });
      expect(patched.status).toBe(200);
      await revoked(demoted.token);
      // A realm's tokens carry whole-second `iat`s: one issued within the cut-off's second is refused
      // too (libs/auth RevocationList errs that way), so the refresh comes a second later.
      if (shape === 'cluster') await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 1000));
      const refreshed = await api.request<{ access_token: string }>('POST', '/v1/auth/refresh', { json: { refresh_token: demoted.refresh } });
      expect(refreshed.status).toBe(200);
      expect(platformRoles(decodeJwt(refreshed.body.access_token))).toEqual(['member']);
      expectError(await api.request('GET', '/v1/users', { token: refreshed.body.access_token }), 403, 'forbidden');
    });

    it('logout revokes the session’s access token too', async () => {
      const member = await account(['member']);
      expect((await api.request('POST', '/v1/auth/logout', { json: { refresh_token: member.refresh } })).status).toBe(200);
      await revoked(member.token);
    });

    it('users.user.deleted reaches auth as an event, which ends the sessions and cuts off the tokens', async () => {
      const member = await account(['member']);
      expect((await api.request('DELETE', `/v1/users/${member.id}`, { token: rootToken })).status).toBe(204);
      await revoked(member.token);
      const client = new pg.Client({ connectionString: platform.databaseUrl });
      await client.connect();
      try {
        const event = await client.query<{ id: string }>(`select id from users.outbox where name = 'users.user.deleted' and payload->>'id' = $1`, [member.id]);
        expect(event.rows).toHaveLength(1);
        const inbox = await client.query(`select 1 from auth.inbox where consumer = 'auth.user-deleted' and event_id = $1`, [event.rows[0]!.id]);
        expect(inbox.rows).toHaveLength(1);
        const cutoff = await client.query(`select 1 from auth.revocations where kind = 'user' and user_id = $1`, [member.id]);
        expect(cutoff.rows).toHaveLength(1);
      } finally {
        await client.end();
      }
      expectError(await api.request('POST', '/v1/auth/refresh', { json: { refresh_token: member.refresh } }), 401, 'refresh_token_invalid');
    });

    (shape === 'distributed' ? it : it.skip)('reaches every gateway replica, including one started after the revocation', async () => {
      const member = await account(['member']);
      const second = new ApiClient(await platform.startExtraGateway());
      expect((await second.request('GET', '/v1/auth/me', { token: member.token })).status).toBe(200);
      expect((await api.request('POST', '/v1/auth/logout', { json: { refresh_token: member.refresh } })).status).toBe(200);
      await revoked(member.token, second);
      const late = new ApiClient(await platform.startExtraGateway());
      expectError(await late.request('GET', '/v1/auth/me', { token: member.token }), 401, 'token_revoked');
    }, 60_000);
  });

  describe('refresh from two tabs at once', () => {
    it('gives both the same new refresh token and logs nobody out', async () => {
      const member = await account(['member']);
      const [a, b] = await Promise.all([0, 1].map(() => api.request<{ refresh_token: string }>('POST', '/v1/auth/refresh', { json: { refresh_token: member.refresh } })));
      expect([a!.status, b!.status]).toEqual([200, 200]);
      // The platform's issuer answers the second tab within its grace window with the same pair; a
      // realm issues each tab a refresh token of its own, and neither ends the session.
      if (shape !== 'cluster') expect(a!.body.refresh_token).toBe(b!.body.refresh_token);
      expect((await api.request('POST', '/v1/auth/refresh', { json: { refresh_token: a!.body.refresh_token } })).status).toBe(200);
      expect((await api.request('POST', '/v1/auth/refresh', { json: { refresh_token: b!.body.refresh_token } })).status).toBe(200);
    });
  });

  describe('the last admin', () => {
    it('cannot demote or delete themself', async () => {
      // The bootstrap admin is the only admin left once the others created here are demoted.
      const list = await api.request<{ items: { id: string; email: string; roles: string[] }[] }>('GET', '/v1/users?limit=100', { token: rootToken });
      const root = list.body.items.find((user) => user.email === ADMIN.email)!;
      for (const user of list.body.items.filter((item) => item.roles.includes('admin') && item.id !== root.id)) {
        expect((await api.request('PATCH', `/v1/users/${user.id}`, { token: rootToken, json: { roles: ['member'] } })).status).toBe(200);
      }
      expectError(await api.request('PATCH', `/v1/users/${root.id}`, { token: rootToken, json: { roles: ['manager'] } }), 409, 'last_admin');
      expectError(await api.request('DELETE', `/v1/users/${root.id}`, { token: rootToken }), 409, 'last_admin');
    });
  });
});

(shape === 'distributed' ? describe : describe.skip)('a process on the bus speaking for someone else (distributed)', () => {
  async function rawRequest(amqpUrl: string, queue: string, envelope: Record<string, unknown>, properties: Record<string, unknown> = {}) {
    const connection = await connect(amqpUrl);
    try {
      const channel = await connection.createChannel();
      const reply = new Promise<Record<string, unknown>>((resolve) => {
        void channel.consume('amq.rabbitmq.reply-to', (message) => message && resolve(JSON.parse(message.content.toString()) as Record<string, unknown>), { noAck: true });
      });
      channel.sendToQueue(queue, Buffer.from(JSON.stringify({ id: randomUUID(), requestId: randomUUID(), ...envelope })), {
        replyTo: 'amq.rabbitmq.reply-to',
        correlationId: randomUUID(),
        ...properties,
      });
      return await reply;
    } finally {
      await connection.close().catch(() => undefined);
    }
  }

  it('cannot claim a principal: without a verified token a request has no rights', async () => {
    const reply = await rawRequest(platform.amqpUrls.gateway!, 'rpc.users', {
      pattern: 'users.create',
      body: { email: 'forged@e2e.test', displayName: 'Forged', roles: ['admin'] },
      principal: { sub: randomUUID(), tenant: 'e2e', roles: ['admin'], iat: Date.now() / 1000 },
      caller: 'gateway',
    });
    expect(reply).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('cannot call internal patterns, even when the envelope names their rightful caller', async () => {
    const reply = await rawRequest(platform.amqpUrls.gateway!, 'rpc.auth', {
      pattern: 'auth.credentials.set',
      body: { userId: randomUUID(), password: 'owned-the-admin' },
      caller: 'users',
    });
    expect(reply).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('cannot pass itself off as another RabbitMQ user: the broker refuses a foreign user_id', async () => {
    const connection = await connect(platform.amqpUrls.gateway!);
    const closed = new Promise<string>((resolve) => connection.on('error', (error: Error) => resolve(error.message)));
    const channel = await connection.createChannel();
    channel.on('error', () => undefined);
    const channelClosed = new Promise<string>((resolve) => channel.on('close', () => resolve('closed')));
    const userOfUsers = decodeURIComponent(new URL(platform.amqpUrls.users!).username);
    channel.sendToQueue('rpc.auth', Buffer.from('{}'), { userId: userOfUsers });
    expect(await Promise.race([channelClosed, closed])).toBeTruthy();
    await connection.close().catch(() => undefined);
  });

  it('cannot consume another service’s request queue (per-service RabbitMQ users)', async () => {
    const connection = await connect(platform.amqpUrls.gateway!);
    try {
      const channel = await connection.createChannel();
      channel.on('error', () => undefined);
      await expect(channel.consume('rpc.auth', () => undefined)).rejects.toThrow(/ACCESS_REFUSED|403/);
    } finally {
      await connection.close().catch(() => undefined);
    }
  });
});
