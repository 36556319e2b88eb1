import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AppError, type ParsedRequestOf, type Principal, type Role } from '@np/contracts';
import { type Identity, type User, type UserList } from '../contracts/index.js';
import { domainEvent, type OutboxSignal } from '@np/messaging';
import { OUTBOX } from '@np/runtime';
import { AuthCredentials, type Credentials } from '../auth/credentials.js';
import { asEmailConflict, emailTakenError } from './email-conflict.js';
import {
  DEFAULT_ROLES,
  requireAnotherAdmin,
  requireNotOutranked,
  requirePermission,
  requireRoleAssignment,
  requireSelfOr,
} from './user-access.js';
import { distinctRoles, type ProfileChanges, profileChanges } from './user-changes.js';
import { decodeCursor, encodeCursor } from './user-cursor.js';
import { toIdentity, toUser, type UserRecord } from './user-record.js';
import { UsersRepository, type UsersStore, type UsersWriter } from './users.repository.js';

export type CreateUserCommand = ParsedRequestOf<'users.create'>;
export type UpdateUserCommand = ParsedRequestOf<'users.update'>;
export type ListUsersCommand = ParsedRequestOf<'users.list'>;

export interface NewUser {
  email: string;
  displayName: string;
  roles: Role[];
}

interface PlannedUpdate {
  changes: ProfileChanges;
  next: UserRecord;
  /** Names of the fields that really change, `password` included. */
  changed: string[];
}

/**
 * The users module's rules. Every write commits with its event. Passwords belong to auth: they
 * are handed over by a bus call that never runs while a transaction of this service is open (no
 * row lock waits on the round trip), and always before the users write they go with, so a
 * refusal by auth leaves nothing behind here.
 */
@Injectable()
export class UsersService {
  constructor(
    @Inject(UsersRepository) private readonly store: UsersStore,
    @Inject(AuthCredentials) private readonly credentials: Credentials,
    @Inject(OUTBOX) private readonly outbox: OutboxSignal,
  ) {}

  async create(command: CreateUserCommand, principal: Principal | undefined): Promise<User> {
    requirePermission(principal, 'users:write');
    const roles = distinctRoles(command.roles ?? DEFAULT_ROLES);
    requireRoleAssignment(principal, roles, DEFAULT_ROLES);
    if (await this.store.findByEmail(command.email)) throw emailTakenError();
    const record = await this.provision({ email: command.email, displayName: command.displayName, roles }, command.password);
    return toUser(record);
  }

  /**
   * Creates a user without asking who wants it: for trusted callers in this process (the admin
   * bootstrap). The id is chosen first and the password stored in auth under it before the user
   * is written. If auth refuses, nothing was written. If the insert fails after auth accepted
   * (a concurrent create took the email), auth keeps a credential of a user that never existed:
   * it can never log in (login and refresh find no user with that id) and no later user gets
   * that random id.
   */
  async provision(user: NewUser, password: string | undefined): Promise<UserRecord> {
    const now = new Date();
    const record: UserRecord = { id: randomUUID(), ...user, email: user.email.toLowerCase(), createdAt: now, updatedAt: now };
    if (password !== undefined) await this.credentials.set(record.id, password);
    await this.store.transaction(async (tx) => {
      await tx.insert(record);
      await tx.appendEvent(domainEvent('users.user.created', { user: toUser(record) }));
    }).catch(rethrowAsEmailConflict);
    this.outbox.kick();
    return record;
  }

  async get(id: string, principal: Principal | undefined): Promise<User> {
    requireSelfOr(principal, id, 'users:read');
    return toUser(await this.found(this.store.findById(id)));
  }

  /**
   * A new password goes to auth between two transactions: the first checks the whole change
   * (rank, roles, last admin) and commits without writing, so no lock is held while auth
   * hashes and stores it; the second checks again and writes the profile and its event. If that
   * second one fails after auth accepted (the email was taken meanwhile, the user was deleted),
   * the password change stands and is recorded on its own, and the error is answered.
   */
  async update({ id, changes: request }: UpdateUserCommand, principal: Principal | undefined): Promise<User> {
    const caller = requireSelfOr(principal, id, 'users:write');
    if (request.email !== undefined) await this.ensureEmailFree(request.email, id);
    await this.confirmCurrentPassword(caller, id, request);
    if (request.password !== undefined) {
      await this.store.transaction((tx) => this.plan(tx, caller, id, request));
      // Users changing their own password stay logged in where they did it; everywhere else they are logged out.
      await this.credentials.set(id, request.password, caller.sub === id ? caller.sid : undefined);
    }
    const planned = await this.store.transaction(async (tx) => {
      const plan = await this.plan(tx, caller, id, request);
      if (plan.changed.length === 0) return plan;
      await tx.update(id, { ...plan.changes, updatedAt: plan.next.updatedAt });
      await tx.appendEvent(domainEvent('users.user.updated', { user: toUser(plan.next), changed: plan.changed }));
      return plan;
    }).catch(async (error: unknown) => {
      if (request.password !== undefined) await this.recordPasswordChange(id).catch(() => undefined);
      throw asEmailConflict(error);
    });
    if (planned.changed.length > 0) this.outbox.kick();
    return toUser(planned.next);
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

  /** Locks the user (and the admins, for a demotion) and checks the change against the rules; writes nothing. */
  private async plan(tx: UsersWriter, caller: Principal, id: string, request: UpdateUserCommand['changes']): Promise<PlannedUpdate> {
    const current = await this.found(tx.findByIdForUpdate(id));
    requireNotOutranked(caller, current);
    if (request.roles !== undefined) requireRoleAssignment(caller, request.roles, current.roles);
    const changes = profileChanges(current, request);
    if (current.roles.includes('admin') && changes.roles && !changes.roles.includes('admin')) requireAnotherAdmin(await tx.lockAdmins(), id);
    const changed = [...Object.keys(changes), ...(request.password === undefined ? [] : ['password'])];
    if (changed.length === 0) return { changes, next: current, changed };
    return { changes, next: { ...current, ...changes, updatedAt: new Date() }, changed };
  }

  /** Auth took a new password but the profile write failed: the change that did happen gets its event. */
  private async recordPasswordChange(id: string): Promise<void> {
    const recorded = await this.store.transaction(async (tx) => {
      const current = await tx.findByIdForUpdate(id);
      if (!current) return false; // deleted meanwhile: auth drops its credentials on users.user.deleted
      const next: UserRecord = { ...current, updatedAt: new Date() };
      await tx.update(id, { updatedAt: next.updatedAt });
      await tx.appendEvent(domainEvent('users.user.updated', { user: toUser(next), changed: ['password'] }));
      return true;
    });
    if (recorded) this.outbox.kick();
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
