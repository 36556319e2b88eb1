import { randomUUID } from 'node:crypto';
import {
  AppError,
  type Identity,
  type ParsedRequestOf,
  type Principal,
  type Role,
  type User,
  type UserList,
} from '@np/contracts';
import type { Credentials } from './credentials.js';
import { asEmailConflict, emailTakenError } from './email-conflict.js';
import type { OutboxSignal } from '@np/messaging';
import {
  DEFAULT_ROLES,
  requireAnotherAdmin,
  requireNotOutranked,
  requirePermission,
  requireRoleAssignment,
  requireSelfOr,
} from './user-access.js';
import { distinctRoles, profileChanges } from './user-changes.js';
import { decodeCursor, encodeCursor } from './user-cursor.js';
import { domainEvent } from '@np/messaging';
import { toIdentity, toUser, type UserRecord } from './user-record.js';
import type { UsersStore } from './users.repository.js';

export type CreateUserCommand = ParsedRequestOf<'users.create'>;
export type UpdateUserCommand = ParsedRequestOf<'users.update'>;
export type ListUsersCommand = ParsedRequestOf<'users.list'>;

export interface NewUser {
  email: string;
  displayName: string;
  roles: Role[];
}

/** The users module's rules. Every write commits with its event; passwords go to auth in the same transaction. */
export class UsersService {
  constructor(
    private readonly store: UsersStore,
    private readonly credentials: Credentials,
    private readonly outbox: OutboxSignal,
  ) {}

  async create(command: CreateUserCommand, principal: Principal | undefined): Promise<User> {
    requirePermission(principal, 'users:write');
    const roles = distinctRoles(command.roles ?? DEFAULT_ROLES);
    requireRoleAssignment(principal, roles, DEFAULT_ROLES);
    if (await this.store.findByEmail(command.email)) throw emailTakenError();
    const record = await this.provision({ email: command.email, displayName: command.displayName, roles }, command.password);
    return toUser(record);
  }

  /** Creates a user without asking who wants it: for trusted callers in this process (the admin bootstrap). */
  async provision(user: NewUser, password: string | undefined): Promise<UserRecord> {
    const now = new Date();
    const record: UserRecord = { id: randomUUID(), ...user, email: user.email.toLowerCase(), createdAt: now, updatedAt: now };
    await this.store.transaction(async (tx) => {
      await tx.insert(record);
      await tx.appendEvent(domainEvent('users.user.created', { user: toUser(record) }));
      // Last before commit: if auth refuses, the user rolls back with everything else.
      if (password !== undefined) await this.credentials.set(record.id, password);
    }).catch(rethrowAsEmailConflict);
    this.outbox.kick();
    return record;
  }

  async get(id: string, principal: Principal | undefined): Promise<User> {
    requireSelfOr(principal, id, 'users:read');
    return toUser(await this.found(this.store.findById(id)));
  }

  async update({ id, changes: request }: UpdateUserCommand, principal: Principal | undefined): Promise<User> {
    const caller = requireSelfOr(principal, id, 'users:write');
    if (request.email !== undefined) await this.ensureEmailFree(request.email, id);
    await this.confirmCurrentPassword(caller, id, request);
    const { record, changed } = await this.store.transaction(async (tx) => {
      const current = await this.found(tx.findByIdForUpdate(id));
      requireNotOutranked(caller, current);
      if (request.roles !== undefined) requireRoleAssignment(principal, request.roles, current.roles);
      const changes = profileChanges(current, request);
      if (current.roles.includes('admin') && changes.roles && !changes.roles.includes('admin')) requireAnotherAdmin(await tx.lockAdmins(), id);
      const changedFields = [...Object.keys(changes), ...(request.password === undefined ? [] : ['password'])];
      if (changedFields.length === 0) return { record: current, changed: changedFields };
      const next: UserRecord = { ...current, ...changes, updatedAt: new Date() };
      await tx.update(id, { ...changes, updatedAt: next.updatedAt });
      await tx.appendEvent(domainEvent('users.user.updated', { user: toUser(next), changed: changedFields }));
      // Users changing their own password stay logged in where they did it; everywhere else they are logged out.
      if (request.password !== undefined) await this.credentials.set(id, request.password, caller.sub === id ? caller.sid : undefined);
      return { record: next, changed: changedFields };
    }).catch(rethrowAsEmailConflict);
    if (changed.length > 0) this.outbox.kick();
    return toUser(record);
  }

  async delete(id: string, principal: Principal | undefined): Promise<{ ok: true }> {
    const caller = requirePermission(principal, 'users:delete');
    await this.store.transaction(async (tx) => {
      const current = await this.found(tx.findByIdForUpdate(id));
      requireNotOutranked(caller, current);
      if (current.roles.includes('admin')) requireAnotherAdmin(await tx.lockAdmins(), id);
      await tx.remove(id);
      await tx.appendEvent(domainEvent('users.user.deleted', { id, email: current.email }));
    });
    this.outbox.kick();
    return { ok: true };
  }

  async list(command: ListUsersCommand, principal: Principal | undefined): Promise<UserList> {
    requirePermission(principal, 'users:read');
    const page = await this.store.list({
      limit: command.limit,
      ...(command.cursor === undefined ? {} : { cursor: decodeCursor(command.cursor) }),
      ...(command.q === undefined || command.q === '' ? {} : { q: command.q }),
    });
    return { items: page.items.map(toUser), nextCursor: page.next ? encodeCursor(page.next) : null };
  }

  /** Internal (auth during login): no principal involved. */
  async identityByEmail(email: string): Promise<Identity> {
    return toIdentity(await this.found(this.store.findByEmail(email)));
  }

  /** Internal (auth during refresh): no principal involved. */
  async identityById(id: string): Promise<Identity> {
    return toIdentity(await this.found(this.store.findById(id)));
  }

  async findByEmail(email: string): Promise<UserRecord | null> {
    return this.store.findByEmail(email);
  }

  /**
   * Someone holding a stolen session must not be able to take the account over: changing one's
   * own password or email needs the current password (checked before any row is locked, since
   * hashing is slow).
   */
  private async confirmCurrentPassword(caller: Principal, id: string, request: UpdateUserCommand['changes']): Promise<void> {
    if (caller.sub !== id || (request.password === undefined && request.email === undefined)) return;
    if (request.currentPassword === undefined) {
      throw new AppError('validation_failed', 'Changing your own password or email needs your current password.', [
        { path: 'body.currentPassword', message: 'Required when changing your own password or email.' },
      ]);
    }
    await this.credentials.confirm(id, request.currentPassword);
  }

  private async ensureEmailFree(email: string, ownerId: string): Promise<void> {
    const holder = await this.store.findByEmail(email);
    if (holder && holder.id !== ownerId) throw emailTakenError();
  }

  private async found(lookup: Promise<UserRecord | null>): Promise<UserRecord> {
    const record = await lookup;
    if (!record) throw new AppError('not_found', 'User not found.');
    return record;
  }
}

function rethrowAsEmailConflict(error: unknown): never {
  throw asEmailConflict(error);
}
