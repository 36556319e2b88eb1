import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { Role } from '@np/contracts';
import { BusClient } from '@np/messaging';
import { uniqueName } from '@np/testing';
import { dropSchema, principal, startHarness, type TestPrincipal, type UsersHarness } from './users-harness.js';

// Attacks on accounts, against the real users service and PostgreSQL: privilege by rank, the last
// admin, proof of the current password, internal patterns and forged callers.
const schema = uniqueName('users_protect');
let h: UsersHarness;
let bootstrapAdmin: TestPrincipal;

beforeAll(async () => {
  h = await startHarness({ schema });
  bootstrapAdmin = principal(['admin']);
});

afterAll(async () => {
  await h?.close();
  await dropSchema(schema);
});

async function create(roles: Role[]) {
  const user = await h.call('users.create', { email: `${randomUUID().slice(0, 8)}@protect.test`, displayName: 'P', roles }, bootstrapAdmin);
  return { ...user, as: principal(roles, user.id) };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'succeeded',
    (error: unknown) => (error as { code: string }).code,
  );
}

describe('rank', () => {
  it('forbids a manager to change the password, email or profile of an admin, and allows it on a member', async () => {
    const admin = await create(['admin']);
    const manager = await create(['manager']);
    const member = await create(['member']);
    for (const changes of [{ password: 'taken-over!' }, { email: 'mine@protect.test' }, { displayName: 'Pwned' }]) {
      expect(await codeOf(h.call('users.update', { id: admin.id, changes }, manager.as))).toBe('forbidden');
    }
    expect(h.auth.calls.some((call) => call.userId === admin.id)).toBe(false);
    await expect(h.call('users.update', { id: member.id, changes: { password: 'reset-by-manager' } }, manager.as)).resolves.toMatchObject({ id: member.id });
    // Someone else's reset ends every session of the user, the one that made it included.
    expect(h.auth.calls).toContainEqual({ userId: member.id, password: 'reset-by-manager' });
  });
});

describe('current password', () => {
  it('is required to change one’s own password or email, and must be right', async () => {
    const member = await create(['member']);
    expect(await codeOf(h.call('users.update', { id: member.id, changes: { password: 'a new password' } }, member.as))).toBe('validation_failed');
    expect(await codeOf(h.call('users.update', { id: member.id, changes: { email: 'new@protect.test' } }, member.as))).toBe('validation_failed');
    expect(await codeOf(h.call('users.update', { id: member.id, changes: { password: 'a new password', currentPassword: 'wrong' } }, member.as))).toBe(
      'current_password_invalid',
    );
    await expect(
      h.call('users.update', { id: member.id, changes: { password: 'a new password', currentPassword: h.auth.currentPassword } }, member.as),
    ).resolves.toMatchObject({ id: member.id });
    // A display name alone needs no password.
    await expect(h.call('users.update', { id: member.id, changes: { displayName: 'Renamed' } }, member.as)).resolves.toMatchObject({ displayName: 'Renamed' });
  });
});

describe('last admin', () => {
  it('cannot demote or delete themself; with a second admin either may leave, then the other may not', async () => {
    // This schema's admins are the ones these tests create; demote all but one first.
    const admins = (await h.call('users.list', { limit: 100 }, bootstrapAdmin)).items.filter((user) => user.roles.includes('admin'));
    const first = await create(['admin']);
    for (const other of admins) await h.call('users.update', { id: other.id, changes: { roles: ['member'] } }, first.as);

    expect(await codeOf(h.call('users.update', { id: first.id, changes: { roles: ['manager'] } }, first.as))).toBe('last_admin');
    expect(await codeOf(h.call('users.delete', { id: first.id }, first.as))).toBe('last_admin');

    const second = await create(['admin']);
    await expect(h.call('users.update', { id: first.id, changes: { roles: ['member'] } }, first.as)).resolves.toMatchObject({ roles: ['member'] });
    expect(await codeOf(h.call('users.delete', { id: second.id }, second.as))).toBe('last_admin');
  });

  it('lets exactly one of two admins demoting each other at once win', async () => {
    const admins = (await h.call('users.list', { limit: 100 }, bootstrapAdmin)).items.filter((user) => user.roles.includes('admin'));
    const a = await create(['admin']);
    for (const other of admins) await h.call('users.update', { id: other.id, changes: { roles: ['member'] } }, a.as);
    const b = await create(['admin']);
    const outcomes = await Promise.all([
      codeOf(h.call('users.update', { id: b.id, changes: { roles: ['member'] } }, a.as)),
      codeOf(h.call('users.update', { id: a.id, changes: { roles: ['member'] } }, b.as)),
    ]);
    expect(outcomes.sort()).toEqual(['last_admin', 'succeeded']);
  });
});

describe('callers', () => {
  it('refuses internal patterns to services not entitled to them', async () => {
    const member = await create(['member']);
    const asGateway = new BusClient(h.transport, 2000, 'gateway');
    expect(await codeOf(asGateway.call('users.identity.by-id', { id: member.id }))).toBe('forbidden');
    expect(await codeOf(asGateway.call('users.identity.by-email', { email: member.email }))).toBe('forbidden');
    await expect(new BusClient(h.transport, 2000, 'auth').call('users.identity.by-id', { id: member.id })).resolves.toMatchObject({ id: member.id });
  });

  it('takes the principal only from a token it verified: no token means no rights, a forged one is refused', async () => {
    const asGateway = new BusClient(h.transport, 2000, 'gateway');
    expect(await codeOf(asGateway.call('users.list', { limit: 5 }))).toBe('forbidden');
    const forged = 'eyJhbGciOiJFUzI1NiIsImtpZCI6InRlc3QifQ.eyJzdWIiOiIxIn0.c2lnbmF0dXJl';
    expect(await codeOf(asGateway.call('users.list', { limit: 5 }, { token: forged }))).toBe('token_invalid');
  });
});
