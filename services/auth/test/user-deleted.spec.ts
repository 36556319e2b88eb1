import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type AuthHarness, registerUser, startAuthHarness } from './auth-harness.js';

describe('users.user.deleted consumer (real PostgreSQL)', () => {
  let harness: AuthHarness;

  beforeAll(async () => {
    harness = await startAuthHarness();
  });

  afterAll(async () => {
    await harness.close();
  });

  const deliver = async (eventId: string, user: { id: string; email: string }) => {
    await harness.transport.publish({ id: eventId, name: 'users.user.deleted', payload: { id: user.id, email: user.email }, occurredAt: new Date().toISOString() });
    await harness.transport.drain();
  };

  it('deletes the credentials and revokes the sessions of the deleted user, once per event id', async () => {
    const user = await registerUser(harness, 'gone@example.com', 'correct horse battery');
    const pair = await harness.client.call('auth.login', { email: user.email, password: 'correct horse battery', ip: '10.0.0.1' });
    const eventId = randomUUID();

    await deliver(eventId, user);

    expect(await harness.query('select 1 from $schema.credentials where user_id = $1', [user.id])).toHaveLength(0);
    await expect(harness.client.call('auth.refresh', { refresh_token: pair.refresh_token })).rejects.toMatchObject({ code: 'refresh_token_invalid' });
    // Access tokens already handed out are refused at the gateways from now on.
    const revocations = await harness.clientAs('gateway').call('auth.revocations.list', {});
    expect(revocations.users.map((cutoff) => cutoff.userId)).toContain(user.id);
    expect(revocations.sessions.map((session) => session.userId)).toContain(user.id);

    // A password set afterwards survives a redelivery of the same event: the consumer skips it.
    await harness.client.call('auth.credentials.set', { userId: user.id, password: 'set again later' });
    await deliver(eventId, user);

    expect(await harness.query('select 1 from $schema.credentials where user_id = $1', [user.id])).toHaveLength(1);
    expect(await harness.query('select 1 from $schema.inbox where event_id = $1', [eventId])).toHaveLength(1);
  });

  it('leaves other users alone', async () => {
    const kept = await registerUser(harness, 'kept@example.com', 'correct horse battery');
    const pair = await harness.client.call('auth.login', { email: kept.email, password: 'correct horse battery', ip: '10.0.0.1' });

    await deliver(randomUUID(), { id: randomUUID(), email: 'someone-else@example.com' });

    await expect(harness.client.call('auth.refresh', { refresh_token: pair.refresh_token })).resolves.toMatchObject({ token_type: 'Bearer' });
  });
});

describe('users.user.updated consumer (real PostgreSQL)', () => {
  let harness: AuthHarness;
  beforeAll(async () => {
    harness = await startAuthHarness();
  });
  afterAll(async () => {
    await harness.close();
  });

  const updated = async (userId: string, changed: string[]) => {
    const now = new Date().toISOString();
    const user = { id: userId, email: 'x@example.com', displayName: 'X', roles: ['member' as const], createdAt: now, updatedAt: now };
    await harness.transport.publish({ id: randomUUID(), name: 'users.user.updated', payload: { user, changed }, occurredAt: now });
    await harness.transport.drain();
  };
  const cutoffsOf = async (userId: string) =>
    (await harness.clientAs('gateway').call('auth.revocations.list', {})).users.filter((cutoff) => cutoff.userId === userId);

  it('cuts off the access tokens of a user whose roles changed, keeping their sessions', async () => {
    const user = await registerUser(harness, 'demoted@example.com', 'correct horse battery', ['manager']);
    const pair = await harness.client.call('auth.login', { email: user.email, password: 'correct horse battery', ip: '10.0.0.1' });

    await updated(user.id, ['roles']);

    expect(await cutoffsOf(user.id)).toHaveLength(1);
    await expect(harness.client.call('auth.refresh', { refresh_token: pair.refresh_token })).resolves.toMatchObject({ token_type: 'Bearer' });
  });

  it('ignores updates that did not change roles', async () => {
    const userId = randomUUID();
    await updated(userId, ['displayName']);
    expect(await cutoffsOf(userId)).toHaveLength(0);
  });
});
