import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { AppError, type SetCredentialsCommand } from '@np/contracts';
import { type User } from '../src/contracts/index.js';
import { testDatabaseUrl, uniqueName } from '@np/testing';
import pg from 'pg';
import { dropSchema, principal, query, startHarness, type UsersHarness } from './users-harness.js';

// Passwords belong to auth; users hands them over by a bus call. Each order in which one side
// can fail leaves both consistent, and no users row stays locked while auth is being asked.
const schema = uniqueName('users_handover');
const admin = principal(['admin']);
let h: UsersHarness;
let counter = 0;

const email = (prefix = 'handover') => `${prefix}-${++counter}@example.com`;
const usersWith = (address: string) => query<{ id: string; display_name: string }>(`select id, display_name from "${schema}".users where email = $1`, [address]);
const eventsOf = (name: string, userId: string) =>
  query<{ payload: { user?: User; changed?: string[] } }>(`select payload from "${schema}".outbox where name = $1 and payload->'user'->>'id' = $2 order by occurred_at, id`, [name, userId]);

/** What another writer does while auth handles the password: insert a user holding `address`. */
async function concurrentCreate(address: string): Promise<string> {
  const id = randomUUID();
  await query(`insert into "${schema}".users (id, email, display_name, roles, created_at, updated_at) values ($1, $2, 'Concurrent', '{member}', now(), now())`, [id, address]);
  return id;
}

/** True when the user's row can be locked at once from another connection, i.e. nobody holds its lock. */
async function rowIsFree(id: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: testDatabaseUrl() });
  await client.connect();
  try {
    await client.query('begin');
    await client.query(`select id from "${schema}".users where id = $1 for update nowait`, [id]);
    return true;
  } catch {
    return false;
  } finally {
    await client.query('rollback').catch(() => undefined);
    await client.end();
  }
}

beforeAll(async () => {
  h = await startHarness({ schema });
});

afterAll(async () => {
  await h?.close();
  await dropSchema(schema);
});

beforeEach(() => {
  h.auth.failWith = undefined;
  h.auth.duringSet = undefined;
});

describe('create with a password', () => {
  it('asks auth before writing anything: when auth refuses, no user and no event exist', async () => {
    const address = email();
    const seenDuringSet: number[] = [];
    h.auth.duringSet = async () => {
      seenDuringSet.push((await usersWith(address)).length);
    };
    h.auth.failWith = new AppError('module_unavailable', 'auth down');
    const error = await h.callError('users.create', { email: address, displayName: 'Refused', password: 'password1' }, admin);
    expect(error.code).toBe('module_unavailable');
    expect(seenDuringSet).toEqual([0]);
    expect(await usersWith(address)).toEqual([]);
    expect(await query(`select id from "${schema}".outbox where name = 'users.user.created' and payload->'user'->>'email' = $1`, [address])).toEqual([]);
    expect((await h.callError('users.identity.by-email', { email: address })).code).toBe('not_found');
  });

  it('answers email_taken when a concurrent create takes the email after auth accepted; the orphan credential names no user', async () => {
    const address = email();
    let other = '';
    h.auth.duringSet = async () => {
      other = await concurrentCreate(address);
    };
    const error = await h.callError('users.create', { email: address, displayName: 'Late', password: 'password1' }, admin);
    expect(error.code).toBe('email_taken');
    expect(error.status).toBe(409);
    const orphan = h.auth.calls.find((call) => call.password === 'password1' && call.userId !== other) as SetCredentialsCommand;
    expect(orphan).toBeDefined();
    // The only user with the email is the concurrent one; the credential's id is nobody's, so nobody logs in with it.
    expect((await usersWith(address)).map((row) => row.id)).toEqual([other]);
    expect((await h.call('users.identity.by-email', { email: address })).id).toBe(other);
    expect((await h.callError('users.identity.by-id', { id: orphan.userId })).code).toBe('not_found');
    expect(await eventsOf('users.user.created', orphan.userId)).toEqual([]);
  });
});

describe('update with a password', () => {
  it('holds no lock on the user while auth stores the password, and keeps the profile when auth refuses', async () => {
    const user = await h.call('users.create', { email: email(), displayName: 'Before' }, admin);
    const freeDuringSet: boolean[] = [];
    h.auth.duringSet = async () => {
      freeDuringSet.push(await rowIsFree(user.id));
    };
    h.auth.failWith = new AppError('module_timeout', 'auth is slow');
    const error = await h.callError('users.update', { id: user.id, changes: { displayName: 'After', email: email('new'), password: 'password2' } }, admin);
    expect(error.code).toBe('module_timeout');
    expect(freeDuringSet).toEqual([true]);
    expect(await h.call('users.get', { id: user.id }, admin)).toEqual(user);
    expect(await eventsOf('users.user.updated', user.id)).toEqual([]);
  });

  it('holds no lock while auth stores the password when the change succeeds either', async () => {
    const user = await h.call('users.create', { email: email(), displayName: 'Before' }, admin);
    const freeDuringSet: boolean[] = [];
    h.auth.duringSet = async () => {
      freeDuringSet.push(await rowIsFree(user.id));
    };
    const updated = await h.call('users.update', { id: user.id, changes: { displayName: 'After', password: 'password2' } }, admin);
    expect(freeDuringSet).toEqual([true]);
    expect(updated.displayName).toBe('After');
    expect(h.auth.calls).toContainEqual({ userId: user.id, password: 'password2' });
    expect((await eventsOf('users.user.updated', user.id)).map((row) => row.payload.changed)).toEqual([['displayName', 'password']]);
  });

  it('answers email_taken when the new email is taken after auth accepted; the password change stands and gets its own event', async () => {
    const user = await h.call('users.create', { email: email(), displayName: 'Before' }, admin);
    const self = { ...principal(['member'], user.id), sid: 'session-of-the-change' };
    const wanted = email('wanted');
    h.auth.duringSet = async () => {
      await concurrentCreate(wanted);
    };
    const changes = { displayName: 'After', email: wanted, password: 'password3', currentPassword: h.auth.currentPassword };
    const error = await h.callError('users.update', { id: user.id, changes }, self);
    expect(error.code).toBe('email_taken');
    expect(h.auth.calls).toContainEqual({ userId: user.id, password: 'password3', keepSessionId: 'session-of-the-change' });
    const after = await h.call('users.get', { id: user.id }, admin);
    expect(after).toMatchObject({ email: user.email, displayName: 'Before' });
    const events = await eventsOf('users.user.updated', user.id);
    expect(events.map((row) => row.payload.changed)).toEqual([['password']]);
    expect(events[0]!.payload.user).toEqual(after);
  });

  it('checks rank before auth is asked: a manager cannot set an admin’s password', async () => {
    const target = await h.call('users.create', { email: email(), displayName: 'Admin', roles: ['admin'] }, admin);
    const calls = h.auth.calls.length;
    const error = await h.callError('users.update', { id: target.id, changes: { password: 'password4' } }, principal(['manager']));
    expect(error.code).toBe('forbidden');
    expect(h.auth.calls).toHaveLength(calls);
  });
});
