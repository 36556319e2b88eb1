import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { AppError } from '@np/contracts';
import { type User, userSchema } from '../src/contracts/index.js';
import { uniqueName } from '@np/testing';
import { dropSchema, principal, query, startHarness, type UsersHarness, waitFor } from './users-harness.js';

const admin = principal(['admin']);
const manager = principal(['manager']);

interface OutboxRow {
  id: string;
  name: string;
  payload: Record<string, unknown>;
  request_id: string | null;
  published_at: Date | null;
}

describe('users service (real PostgreSQL, in-process bus)', () => {
  const schema = uniqueName('users');
  let h: UsersHarness;
  let counter = 0;

  const email = (prefix = 'user') => `${prefix}-${++counter}@example.com`;
  const outbox = (name?: string) =>
    query<OutboxRow>(`select * from "${schema}".outbox ${name ? 'where name = $1' : ''} order by occurred_at, id`, name ? [name] : []);
  const create = (body: { email?: string; displayName?: string; password?: string; roles?: ('admin' | 'manager' | 'member')[] } = {}) =>
    h.call('users.create', { email: body.email ?? email(), displayName: body.displayName ?? 'Someone', ...body }, admin);

  beforeAll(async () => {
    h = await startHarness({ schema });
  });

  afterAll(async () => {
    await h.close();
    await dropSchema(schema);
  });

  beforeEach(() => {
    h.auth.failWith = undefined;
  });

  describe('create', () => {
    it('stores the user, sets its credentials through auth and returns it per userSchema', async () => {
      const user = await create({ email: 'Ada.Lovelace@Example.com', displayName: 'Ada', password: 'correct horse' });
      expect(userSchema.strict().parse(user)).toEqual(user);
      expect(user).toMatchObject({ email: 'ada.lovelace@example.com', displayName: 'Ada', roles: ['member'] });
      expect(h.auth.calls).toContainEqual({ userId: user.id, password: 'correct horse' });
      const [row] = await query(`select * from "${schema}".users where id = $1`, [user.id]);
      expect(row).toMatchObject({ email: 'ada.lovelace@example.com', display_name: 'Ada', roles: ['member'] });
      expect(Object.keys(row!).sort()).toEqual(['created_at', 'display_name', 'email', 'id', 'roles', 'updated_at']);
    });

    it('writes users.user.created to the outbox and the relay publishes it', async () => {
      const user = await create();
      const rows = (await outbox('users.user.created')).filter((row) => (row.payload.user as User).id === user.id);
      expect(rows).toHaveLength(1);
      expect(rows[0]!.payload).toEqual({ user });
      expect(rows[0]!.request_id).toEqual(expect.any(String));
      await waitFor(() => h.published.some((event) => event.id === rows[0]!.id));
      await waitFor(async () => (await outbox()).find((row) => row.id === rows[0]!.id)?.published_at != null);
    });

    it('answers email_taken for a duplicate email, whatever its case, without touching credentials', async () => {
      await create({ email: 'dup@example.com' });
      const calls = h.auth.calls.length;
      const error = await h.callError('users.create', { email: 'DUP@Example.COM', displayName: 'Again', password: 'password1' }, admin);
      expect(error.code).toBe('email_taken');
      expect(error.status).toBe(409);
      expect(h.auth.calls).toHaveLength(calls);
    });

    it('settles a race on the same email with the unique index: one wins, the other gets email_taken', async () => {
      const address = email('race');
      const outcomes = await Promise.allSettled([
        create({ email: address }),
        create({ email: address.toUpperCase() }),
        create({ email: address }),
      ]);
      expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
      for (const outcome of outcomes.filter((o) => o.status === 'rejected')) {
        expect((outcome.reason as AppError).code).toBe('email_taken');
      }
      expect(await query(`select id from "${schema}".users where email = $1`, [address])).toHaveLength(1);
    });

    it('lets only users:assign-roles set roles other than member', async () => {
      expect((await h.callError('users.create', { email: email(), displayName: 'X', roles: ['admin'] }, manager)).code).toBe('forbidden');
      expect((await h.callError('users.create', { email: email(), displayName: 'X', roles: ['member', 'manager'] }, manager)).code).toBe('forbidden');
      expect((await h.call('users.create', { email: email(), displayName: 'X', roles: ['member'] }, manager)).roles).toEqual(['member']);
      expect((await h.call('users.create', { email: email(), displayName: 'X', roles: ['manager'] }, admin)).roles).toEqual(['manager']);
    });

    it('refuses callers without users:write, or without any principal', async () => {
      expect((await h.callError('users.create', { email: email(), displayName: 'X' }, principal(['member']))).code).toBe('forbidden');
      expect((await h.callError('users.create', { email: email(), displayName: 'X' })).code).toBe('forbidden');
    });

    it('rolls the user and its event back when auth cannot store the credentials', async () => {
      h.auth.failWith = new AppError('module_timeout', 'auth is slow');
      const address = email('nocreds');
      const before = (await outbox()).length;
      const error = await h.callError('users.create', { email: address, displayName: 'No creds', password: 'password1' }, admin);
      expect(error.code).toBe('module_timeout');
      expect(await query(`select id from "${schema}".users where email = $1`, [address])).toHaveLength(0);
      expect(await outbox()).toHaveLength(before);
      expect((await h.callError('users.identity.by-email', { email: address })).code).toBe('not_found');
    });
  });

  describe('get', () => {
    it('answers the user to itself and to users:read, forbidden to other members, not_found when missing', async () => {
      const user = await create();
      expect(await h.call('users.get', { id: user.id }, principal(['member'], user.id))).toEqual(user);
      expect(await h.call('users.get', { id: user.id }, manager)).toEqual(user);
      expect((await h.callError('users.get', { id: user.id }, principal(['member']))).code).toBe('forbidden');
      expect((await h.callError('users.get', { id: randomUUID() }, admin)).code).toBe('not_found');
    });
  });

  describe('update', () => {
    it('lets a member change its own name, email and password, and emits users.user.updated with what changed', async () => {
      const user = await create();
      const self = { ...principal(['member'], user.id), sid: 'session-of-the-change' };
      const newEmail = email('Renamed').toUpperCase();
      const changes = { displayName: 'New name', email: newEmail, password: 'new password', currentPassword: h.auth.currentPassword };
      const updated = await h.call('users.update', { id: user.id, changes }, self);
      expect(updated).toMatchObject({ id: user.id, displayName: 'New name', email: newEmail.toLowerCase(), createdAt: user.createdAt });
      expect(Date.parse(updated.updatedAt)).toBeGreaterThanOrEqual(Date.parse(user.updatedAt));
      expect(h.auth.calls).toContainEqual({ userId: user.id, password: 'new password', keepSessionId: 'session-of-the-change' });
      const events = (await outbox('users.user.updated')).filter((row) => (row.payload.user as User).id === user.id);
      expect(events).toHaveLength(1);
      expect(events[0]!.payload).toEqual({ user: updated, changed: ['email', 'displayName', 'password'] });
      expect(JSON.stringify(events[0]!.payload)).not.toContain('new password');
    });

    it('writes nothing when nothing changes', async () => {
      const user = await create({ displayName: 'Same' });
      const before = (await outbox()).length;
      expect(await h.call('users.update', { id: user.id, changes: { displayName: 'Same' } }, admin)).toEqual(user);
      expect(await outbox()).toHaveLength(before);
    });

    it('answers email_taken when the new email belongs to someone else', async () => {
      const taken = await create();
      const user = await create();
      const error = await h.callError('users.update', { id: user.id, changes: { email: taken.email.toUpperCase() } }, admin);
      expect(error.code).toBe('email_taken');
      expect(await h.call('users.update', { id: user.id, changes: { email: user.email } }, admin)).toEqual(user);
    });

    it('needs users:assign-roles to change roles, even one’s own', async () => {
      const user = await create();
      const self = principal(['member'], user.id);
      expect((await h.callError('users.update', { id: user.id, changes: { roles: ['admin'] } }, self)).code).toBe('forbidden');
      expect((await h.callError('users.update', { id: user.id, changes: { roles: ['manager'] } }, manager)).code).toBe('forbidden');
      expect((await h.call('users.update', { id: user.id, changes: { roles: ['manager'] } }, admin)).roles).toEqual(['manager']);
    });

    it('forbids members to update others, and answers not_found for a missing user', async () => {
      const user = await create();
      expect((await h.callError('users.update', { id: user.id, changes: { displayName: 'Hacked' } }, principal(['member']))).code).toBe('forbidden');
      expect((await h.callError('users.update', { id: randomUUID(), changes: { displayName: 'Ghost' } }, admin)).code).toBe('not_found');
    });

    it('keeps the old password and profile when auth refuses the new password', async () => {
      const user = await create();
      h.auth.failWith = new AppError('module_unavailable', 'auth down');
      const error = await h.callError('users.update', { id: user.id, changes: { displayName: 'Changed', password: 'password2' } }, admin);
      expect(error.code).toBe('module_unavailable');
      h.auth.failWith = undefined;
      expect(await h.call('users.get', { id: user.id }, admin)).toEqual(user);
    });
  });

  describe('delete', () => {
    it('is for users:delete only, removes the user and emits users.user.deleted', async () => {
      const user = await create();
      expect((await h.callError('users.delete', { id: user.id }, manager)).code).toBe('forbidden');
      expect((await h.callError('users.delete', { id: user.id }, principal(['member'], user.id))).code).toBe('forbidden');
      expect(await h.call('users.delete', { id: user.id }, admin)).toEqual({ ok: true });
      expect((await h.callError('users.get', { id: user.id }, admin)).code).toBe('not_found');
      const events = (await outbox('users.user.deleted')).filter((row) => row.payload.id === user.id);
      expect(events.map((row) => row.payload)).toEqual([{ id: user.id, email: user.email }]);
      expect((await h.callError('users.delete', { id: user.id }, admin)).code).toBe('not_found');
    });
  });

  describe('identity', () => {
    it('answers auth without a principal, by email (any case) or id', async () => {
      const user = await create({ email: email('Ident') });
      const identity = { id: user.id, email: user.email, displayName: user.displayName, roles: user.roles };
      expect(await h.call('users.identity.by-email', { email: user.email.toUpperCase() })).toEqual(identity);
      expect(await h.call('users.identity.by-id', { id: user.id })).toEqual(identity);
      expect((await h.callError('users.identity.by-id', { id: randomUUID() })).code).toBe('not_found');
    });
  });

  describe('list', () => {
    const tag = `zq${Date.now().toString(36)}`;
    let tagged: User[];

    beforeAll(async () => {
      tagged = [];
      for (let index = 0; index < 7; index += 1) {
        tagged.push(await create({ email: `${tag}-${index}@example.com`, displayName: `Tagged ${index}` }));
      }
      tagged.push(await create({ email: email(), displayName: `Display ${tag.toUpperCase()} name` }));
      tagged.push(await create({ email: email(), displayName: `100%_${tag}` }));
    });

    it('walks every user exactly once in (createdAt, id) order with the opaque cursor', async () => {
      const seen: User[] = [];
      let cursor: string | undefined;
      do {
        const page = await h.call('users.list', { limit: 3, ...(cursor ? { cursor } : {}) }, manager);
        expect(page.items.length).toBeLessThanOrEqual(3);
        seen.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      const [{ count }] = (await query<{ count: string }>(`select count(*) from "${schema}".users`)) as [{ count: string }];
      expect(seen).toHaveLength(Number(count));
      expect(new Set(seen.map((user) => user.id)).size).toBe(seen.length);
      const order = seen.map((user) => `${user.createdAt}|${user.id}`);
      expect([...order].sort()).toEqual(order);
    });

    it('searches email and display name case-insensitively', async () => {
      const page = await h.call('users.list', { limit: 100, q: tag.toUpperCase() }, admin);
      expect(page.items.map((user) => user.id)).toEqual(tagged.map((user) => user.id));
      expect(page.nextCursor).toBeNull();
      const firstTwo = await h.call('users.list', { limit: 2, q: tag }, admin);
      const rest = await h.call('users.list', { limit: 100, q: tag, cursor: firstTwo.nextCursor! }, admin);
      expect([...firstTwo.items, ...rest.items].map((user) => user.id)).toEqual(tagged.map((user) => user.id));
    });

    it('takes % and _ in the query literally', async () => {
      const page = await h.call('users.list', { limit: 100, q: `100%_${tag}` }, admin);
      expect(page.items.map((user) => user.displayName)).toEqual([`100%_${tag}`]);
      expect((await h.call('users.list', { limit: 100, q: '%_' }, admin)).items.map((user) => user.displayName)).toEqual([`100%_${tag}`]);
    });

    it('answers validation_failed for a forged cursor and forbidden without users:read', async () => {
      expect((await h.callError('users.list', { limit: 5, cursor: 'not-a-cursor' }, admin)).code).toBe('validation_failed');
      const forged = Buffer.from(JSON.stringify({ createdAt: 'yesterday', id: 'x' })).toString('base64url');
      expect((await h.callError('users.list', { limit: 5, cursor: forged }, admin)).code).toBe('validation_failed');
      expect((await h.callError('users.list', { limit: 5 }, principal(['member']))).code).toBe('forbidden');
    });
  });
});
