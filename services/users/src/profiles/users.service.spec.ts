import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { AppError, type Principal, type Role } from '@np/contracts';
import type { EventEnvelope } from '@np/messaging';
import type { AccountDirectory, NewAccount } from '../accounts/account-directory.js';
import type { UserRecord } from './user-record.js';
import type { UserChanges, UserListQuery, UserPage, UsersStore, UsersWriter } from './users.repository.js';
import { UsersService } from './users.service.js';

/** In memory, with real rollback: a throwing transaction leaves no trace. */
class FakeStore implements UsersStore {
  users = new Map<string, UserRecord>();
  events: EventEnvelope[] = [];
  /** Simulates a concurrent writer that took the email between the pre-check and the insert. */
  raceOnInsert = false;
  /** Same for the email of an update. */
  raceOnUpdate = false;
  /** How many transactions are open right now (a remote call must never see one). */
  open = 0;

  findById(id: string) {
    return Promise.resolve(this.users.get(id) ?? null);
  }

  findByEmail(email: string) {
    return Promise.resolve([...this.users.values()].find((user) => user.email === email.toLowerCase()) ?? null);
  }

  list(query: UserListQuery): Promise<UserPage> {
    const all = [...this.users.values()].filter((user) => !query.cursor || user.id > query.cursor.id);
    return Promise.resolve({ items: all.slice(0, query.limit), next: null });
  }

  async transaction<T>(fn: (tx: UsersWriter) => Promise<T>): Promise<T> {
    const users = new Map(this.users);
    const events = [...this.events];
    this.open += 1;
    try {
      return await fn(this.writer());
    } catch (error) {
      this.users = users;
      this.events = events;
      throw error;
    } finally {
      this.open -= 1;
    }
  }

  private writer(): UsersWriter {
    return {
      findById: (id) => this.findById(id),
      findByEmail: (email) => this.findByEmail(email),
      findByIdForUpdate: (id) => this.findById(id),
      insert: (record) => {
        if (this.raceOnInsert) {
          return Promise.reject(new UniqueConstraintViolationException(Object.assign(new Error('duplicate key'), { constraint: 'users_email_unique' })));
        }
        this.users.set(record.id, { ...record });
        return Promise.resolve();
      },
      update: (id, changes: UserChanges) => {
        if (this.raceOnUpdate && changes.email !== undefined) {
          return Promise.reject(new UniqueConstraintViolationException(Object.assign(new Error('duplicate key'), { constraint: 'users_email_unique' })));
        }
        this.users.set(id, { ...this.users.get(id)!, ...changes });
        return Promise.resolve();
      },
      remove: (id) => {
        this.users.delete(id);
        return Promise.resolve();
      },
      appendEvent: (event) => {
        this.events.push(event);
        return Promise.resolve();
      },
      lockAdmins: () => Promise.resolve([...this.users.values()].filter((user) => user.roles.includes('admin')).map((user) => user.id)),
    };
  }
}

interface AccountCall {
  call: string;
  userId: string;
  openTransactions: number;
  userStored: boolean;
  password?: string;
  roles?: Role[];
}

/** An account directory recording each call with what the store looked like then; `failOn` makes one kind of call fail. */
class FakeAccounts implements AccountDirectory {
  calls: AccountCall[] = [];
  failOn: Partial<Record<string, AppError>> = {};
  /** Sessions `setPassword` says it ended (the Keycloak directory ends them itself). */
  endsSessions: string[] = [];

  constructor(private readonly store: FakeStore) {}

  open(_account: NewAccount, password: string | undefined) {
    const id = randomUUID();
    return this.record('open', id, password === undefined ? {} : { password }).then(() => id);
  }

  sync(record: UserRecord) {
    return this.record('sync', record.id, { roles: [...record.roles] });
  }

  prepare(current: UserRecord, next: UserRecord) {
    return this.record('prepare', current.id, { roles: [...next.roles] });
  }

  setPassword(userId: string, password: string) {
    return this.record('setPassword', userId, { password }).then(() => this.endsSessions);
  }

  confirmPassword(userId: string) {
    return this.record('confirmPassword', userId);
  }

  suspend(userId: string) {
    return this.record('suspend', userId);
  }

  discard(userId: string) {
    return this.record('discard', userId);
  }

  named(call: string): AccountCall[] {
    return this.calls.filter((entry) => entry.call === call);
  }

  private record(call: string, userId: string, extra: Partial<AccountCall> = {}): Promise<void> {
    const failure = this.failOn[call];
    if (failure) return Promise.reject(failure);
    this.calls.push({ call, userId, openTransactions: this.store.open, userStored: this.store.users.has(userId), ...extra });
    return Promise.resolve();
  }
}

function setup() {
  const store = new FakeStore();
  const accounts = new FakeAccounts(store);
  let kicks = 0;
  const service = new UsersService(store, accounts, { kick: () => (kicks += 1) }, { warn: () => undefined });
  return { store, accounts, service, kicks: () => kicks };
}

const who = (roles: Role[], sub: string = randomUUID()): Principal => ({ sub, tenant: 'default', roles, iat: Math.floor(Date.now() / 1000) });
const admin = who(['admin']);
const manager = who(['manager']);

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error: unknown = await promise.then(() => 'resolved', (failure: unknown) => failure);
  return error instanceof AppError ? error.code : String(error);
}

describe('UsersService', () => {
  describe('create', () => {
    it('defaults roles to member, writes the created event in the transaction and kicks the relay after', async () => {
      const { service, store, kicks, accounts } = setup();
      const user = await service.create({ email: 'a@example.com', displayName: 'A', password: 'password1' }, manager);
      expect(user.roles).toEqual(['member']);
      expect(store.events.map((event) => [event.name, event.payload])).toEqual([['users.user.created', { user }]]);
      // The account first (its id is the user's), with no transaction open; the user is written after it was made; then it is enabled.
      expect(accounts.calls).toEqual([
        { call: 'open', userId: user.id, password: 'password1', openTransactions: 0, userStored: false },
        { call: 'sync', userId: user.id, roles: ['member'], openTransactions: 0, userStored: true },
      ]);
      expect(kicks()).toBe(1);
    });

    it('answers email_taken from the pre-check and from a lost race on the unique index', async () => {
      const { service, store } = setup();
      await service.create({ email: 'a@example.com', displayName: 'A' }, admin);
      expect(await codeOf(service.create({ email: 'a@example.com', displayName: 'B' }, admin))).toBe('email_taken');
      store.raceOnInsert = true;
      expect(await codeOf(service.create({ email: 'b@example.com', displayName: 'B' }, admin))).toBe('email_taken');
    });

    it('needs users:assign-roles for anything but the default roles', async () => {
      const { service } = setup();
      expect(await codeOf(service.create({ email: 'a@example.com', displayName: 'A', roles: ['manager'] }, manager))).toBe('forbidden');
      expect(await codeOf(service.create({ email: 'a@example.com', displayName: 'A', roles: ['member', 'member'] }, manager))).toBe('resolved');
      expect((await service.create({ email: 'b@example.com', displayName: 'B', roles: ['admin', 'admin'] }, admin)).roles).toEqual(['admin']);
    });

    it('needs users:write and a principal', async () => {
      const { service } = setup();
      expect(await codeOf(service.create({ email: 'a@example.com', displayName: 'A' }, who(['member'])))).toBe('forbidden');
      expect(await codeOf(service.create({ email: 'a@example.com', displayName: 'A' }, undefined))).toBe('forbidden');
    });

    it('rolls back user and event, and does not kick, when the account cannot be made', async () => {
      const { service, store, accounts, kicks } = setup();
      accounts.failOn.open = new AppError('module_unavailable', 'auth down');
      expect(await codeOf(service.create({ email: 'a@example.com', displayName: 'A', password: 'password1' }, admin))).toBe('module_unavailable');
      expect(store.users.size).toBe(0);
      expect(store.events).toEqual([]);
      expect(kicks()).toBe(0);
    });
  });

  describe('update', () => {
    it('lets members change their own profile only', async () => {
      const { service, user, self } = await withUser();
      expect((await service.update({ id: user.id, changes: { displayName: 'Me' } }, self)).displayName).toBe('Me');
      expect(await codeOf(service.update({ id: user.id, changes: { displayName: 'You' } }, who(['member'])))).toBe('forbidden');
      expect(await codeOf(service.update({ id: user.id, changes: { displayName: 'You' } }, undefined))).toBe('forbidden');
    });

    it('needs users:assign-roles to change roles but not to repeat the current ones', async () => {
      const { service, user, self } = await withUser();
      expect(await codeOf(service.update({ id: user.id, changes: { roles: ['admin'] } }, self))).toBe('forbidden');
      expect(await codeOf(service.update({ id: user.id, changes: { roles: ['member'] } }, self))).toBe('resolved');
      expect((await service.update({ id: user.id, changes: { roles: ['manager'] } }, admin)).roles).toEqual(['manager']);
    });

    it('answers email_taken when another user holds the email, and accepts its own', async () => {
      const { service, user } = await withUser();
      await service.create({ email: 'b@example.com', displayName: 'B' }, admin);
      expect(await codeOf(service.update({ id: user.id, changes: { email: 'b@example.com' } }, admin))).toBe('email_taken');
      expect(await codeOf(service.update({ id: user.id, changes: { email: 'a@example.com' } }, admin))).toBe('resolved');
    });

    it('names the changed fields in the event and skips the event when nothing changed', async () => {
      const { service, store, user } = await withUser();
      await service.update({ id: user.id, changes: { displayName: 'A' } }, admin);
      expect(store.events).toHaveLength(1);
      await service.update({ id: user.id, changes: { displayName: 'New', password: 'password2' } }, admin);
      expect(store.events.at(-1)).toMatchObject({ name: 'users.user.updated', payload: { changed: ['displayName', 'password'] } });
      expect(JSON.stringify(store.events)).not.toContain('password2');
    });

    it('sets the password with no transaction open, before the profile is written', async () => {
      const { service, store, user, accounts } = await withUser();
      await service.update({ id: user.id, changes: { displayName: 'New', password: 'password2' } }, admin);
      expect(accounts.named('setPassword').at(-1)).toMatchObject({ userId: user.id, password: 'password2', openTransactions: 0 });
      expect(store.users.get(user.id)?.displayName).toBe('New');
    });

    it('checks rank before asking auth, and asks nothing when it fails', async () => {
      const { service, accounts } = setup();
      const target = await service.create({ email: 'boss@example.com', displayName: 'Boss', roles: ['admin'] }, admin);
      const before = accounts.calls.length;
      expect(await codeOf(service.update({ id: target.id, changes: { password: 'password2' } }, manager))).toBe('forbidden');
      expect(accounts.calls).toHaveLength(before);
    });

    it('records the password change on its own when the profile write fails after auth accepted', async () => {
      const { service, store, user, kicks } = await withUser();
      store.raceOnUpdate = true;
      const before = kicks();
      expect(await codeOf(service.update({ id: user.id, changes: { email: 'taken@example.com', password: 'password2' } }, admin))).toBe('email_taken');
      expect(store.users.get(user.id)?.email).toBe('a@example.com');
      expect(store.events.at(-1)).toMatchObject({ name: 'users.user.updated', payload: { changed: ['password'], user: { email: 'a@example.com' } } });
      expect(kicks()).toBe(before + 1);
    });

    it('leaves profile and events untouched when auth refuses the new password', async () => {
      const { service, store, user, accounts } = await withUser();
      const events = store.events.length;
      accounts.failOn.setPassword = new AppError('module_unavailable', 'auth down');
      expect(await codeOf(service.update({ id: user.id, changes: { displayName: 'New', password: 'password2' } }, admin))).toBe('module_unavailable');
      expect(store.users.get(user.id)?.displayName).toBe('A');
      expect(store.events).toHaveLength(events);
    });

    it('answers not_found for a missing user', async () => {
      const { service } = setup();
      expect(await codeOf(service.update({ id: randomUUID(), changes: { displayName: 'X' } }, admin))).toBe('not_found');
    });
  });

  describe('delete, get, list, identity', () => {
    it('deletes for users:delete only and emits users.user.deleted', async () => {
      const { service, store } = setup();
      const user = await service.create({ email: 'a@example.com', displayName: 'A' }, admin);
      expect(await codeOf(service.delete(user.id, manager))).toBe('forbidden');
      expect(await service.delete(user.id, admin)).toEqual({ ok: true });
      expect(store.events.at(-1)).toMatchObject({ name: 'users.user.deleted', payload: { id: user.id, email: 'a@example.com' } });
      expect(await codeOf(service.delete(user.id, admin))).toBe('not_found');
    });

    it('gets self or with users:read', async () => {
      const { service } = setup();
      const user = await service.create({ email: 'a@example.com', displayName: 'A' }, admin);
      expect(await service.get(user.id, who(['member'], user.id))).toEqual(user);
      expect(await codeOf(service.get(user.id, who(['member'])))).toBe('forbidden');
    });

    it('lists with users:read and rejects a forged cursor', async () => {
      const { service } = setup();
      await service.create({ email: 'a@example.com', displayName: 'A' }, admin);
      expect((await service.list({ limit: 10 }, manager)).items).toHaveLength(1);
      expect(await codeOf(service.list({ limit: 10 }, who(['member'])))).toBe('forbidden');
      expect(await codeOf(service.list({ limit: 10, cursor: 'garbage' }, manager))).toBe('validation_failed');
    });

    it('answers identities without a principal', async () => {
      const { service } = setup();
      const user = await service.create({ email: 'a@example.com', displayName: 'A' }, admin);
      expect(await service.identityByEmail('A@example.com')).toEqual({ id: user.id, email: user.email, displayName: 'A', roles: ['member'] });
      expect(await codeOf(service.identityById(randomUUID()))).toBe('not_found');
    });
  });

  describe('accounts held by a directory that signs users in (Keycloak)', () => {
    it('takes a created user back, with its event, and discards the account when the account cannot be enabled', async () => {
      const { service, store, accounts } = setup();
      accounts.failOn.sync = new AppError('identity_provider_unavailable', 'Keycloak down');
      expect(await codeOf(service.create({ email: 'a@example.com', displayName: 'A', password: 'password1' }, admin))).toBe('identity_provider_unavailable');
      expect(store.users.size).toBe(0);
      expect(store.events.map((event) => event.name)).toEqual(['users.user.created', 'users.user.deleted']);
      const [opened] = accounts.named('open');
      expect(accounts.named('discard')).toEqual([expect.objectContaining({ userId: opened?.userId, userStored: false })]);
    });

    it('discards the account when the user cannot be written (a concurrent create took the email)', async () => {
      const { service, store, accounts } = setup();
      store.raceOnInsert = true;
      expect(await codeOf(service.create({ email: 'a@example.com', displayName: 'A' }, admin))).toBe('email_taken');
      expect(accounts.named('discard').map((call) => call.userId)).toEqual(accounts.named('open').map((call) => call.userId));
    });

    it('prepares the account before the change is written and syncs it after, never inside a transaction', async () => {
      const { service, store, user, accounts } = await withUser();
      await service.update({ id: user.id, changes: { roles: ['manager'] } }, admin);
      const [prepare, sync] = [accounts.named('prepare').at(-1), accounts.named('sync').at(-1)];
      expect(prepare).toMatchObject({ openTransactions: 0, roles: ['manager'] });
      expect(sync).toMatchObject({ openTransactions: 0, roles: ['manager'] });
      expect(accounts.calls.indexOf(prepare!)).toBeLessThan(accounts.calls.indexOf(sync!));
      expect(store.users.get(user.id)?.roles).toEqual(['manager']);
    });

    it('puts the account back as the table says when the write fails after it was prepared', async () => {
      const { service, store, user, accounts } = await withUser();
      store.raceOnUpdate = true;
      expect(await codeOf(service.update({ id: user.id, changes: { email: 'taken@example.com' } }, admin))).toBe('email_taken');
      expect(accounts.named('sync').at(-1)).toMatchObject({ userId: user.id, roles: ['member'] });
    });

    it('names the sessions the directory ended in the event, so auth revokes their access tokens', async () => {
      const { service, store, user, accounts } = await withUser();
      accounts.endsSessions = ['kc-session-1', 'kc-session-2'];
      await service.update({ id: user.id, changes: { password: 'password2' } }, admin);
      expect(store.events.at(-1)).toMatchObject({ name: 'users.user.updated', payload: { changed: ['password'], endedSessions: ['kc-session-1', 'kc-session-2'] } });
    });

    it('brings the account in step on an update that changes nothing (the repair of one left behind)', async () => {
      const { service, store, user, accounts } = await withUser();
      const events = store.events.length;
      await service.update({ id: user.id, changes: { displayName: 'A' } }, admin);
      expect(store.events).toHaveLength(events);
      expect(accounts.named('sync').at(-1)).toMatchObject({ userId: user.id, roles: ['member'] });
    });

    it('locks the account before the user is deleted and deletes it after', async () => {
      const { service, store, user, accounts } = await withUser();
      await service.delete(user.id, admin);
      expect(accounts.named('suspend')).toEqual([expect.objectContaining({ userId: user.id, userStored: true, openTransactions: 0 })]);
      expect(accounts.named('discard')).toEqual([expect.objectContaining({ userId: user.id, userStored: false, openTransactions: 0 })]);
      expect(store.users.has(user.id)).toBe(false);
    });

    it('leaves user and account alone when the account cannot be locked, and deletes the user when only the account deletion fails', async () => {
      const { service, store, user, accounts } = await withUser();
      accounts.failOn.suspend = new AppError('identity_provider_unavailable', 'Keycloak down');
      expect(await codeOf(service.delete(user.id, admin))).toBe('identity_provider_unavailable');
      expect(store.users.has(user.id)).toBe(true);
      accounts.failOn = { discard: new AppError('identity_provider_unavailable', 'Keycloak down') };
      expect(await service.delete(user.id, admin)).toEqual({ ok: true });
      expect(store.users.has(user.id)).toBe(false);
    });

    it('refuses the deletion of the last admin before the account is touched', async () => {
      const { service, accounts } = setup();
      const only = await service.create({ email: 'root@example.com', displayName: 'Root', roles: ['admin'] }, admin);
      expect(await codeOf(service.delete(only.id, who(['admin'], only.id)))).toBe('last_admin');
      expect(accounts.named('suspend')).toEqual([]);
    });
  });

  async function withUser() {
    const context = setup();
    const user = await context.service.create({ email: 'a@example.com', displayName: 'A' }, admin);
    return { ...context, user, self: who(['member'], user.id) };
  }
});
