import { Inject, Injectable } from '@nestjs/common';
import { AppError, decodePageCursor, encodePageCursor, type ParsedRequestOf, type Principal, type Role } from '@np/contracts';
import { type Identity, type User, type UserList } from '../contracts/index.js';
import { domainEvent, type OutboxSignal } from '@np/messaging';
import type { Logger } from '@np/observability';
import { LOGGER, OUTBOX } from '@np/runtime';
import { ACCOUNT_DIRECTORY, type AccountDirectory } from '../accounts/account-directory.js';
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
  current: UserRecord;
  changes: ProfileChanges;
  next: UserRecord;
  /** Names of the fields that really change, `password` included. */
  changed: string[];
}

/**
 * The users module's rules. Every write commits with its event. Accounts (passwords, sign-in)
 * live in the account directory: the auth module, or the tenant's Keycloak realm. Directory calls
 * never run while a transaction of this service is open (no row lock waits on the round trip),
 * and they are ordered so that an account never holds more than the users table says: it is made
 * unable to sign in before its user is written and enabled after; it loses roles before the table
 * does and gains them after; it is locked before its user is deleted. A failure in between is
 * undone where that is safe, and repeating the request repairs the rest (see the README).
 */
@Injectable()
export class UsersService {
  constructor(
    @Inject(UsersRepository) private readonly store: UsersStore,
    @Inject(ACCOUNT_DIRECTORY) private readonly accounts: AccountDirectory,
    @Inject(OUTBOX) private readonly outbox: OutboxSignal,
    @Inject(LOGGER) private readonly logger: Pick<Logger, 'warn'>,
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
   * bootstrap). The account comes first (its id is the user's; it cannot sign in yet), then the
   * user and its event, then the account is enabled with its roles. The account refused → nothing
   * was written. The insert fails (a concurrent create took the email) → the account is discarded
   * (with the embedded issuer, auth keeps a credential whose id names no user: it can never sign
   * in, and no later user gets that random id). Enabling fails → the user is deleted again (with
   * its event) and the account discarded, and the caller gets the error; an account left disabled
   * is taken over by the next create of that email.
   */
  async provision(user: NewUser, password: string | undefined): Promise<UserRecord> {
    const email = user.email.toLowerCase();
    const id = await this.accounts.open({ email, displayName: user.displayName }, password);
    const now = new Date();
    const record: UserRecord = { id, ...user, email, createdAt: now, updatedAt: now };
    try {
      await this.store.transaction(async (tx) => {
        await tx.insert(record);
        await tx.appendEvent(domainEvent('users.user.created', { user: toUser(record) }));
      });
    } catch (error) {
      await this.discardAccount(id);
      throw asEmailConflict(error);
    }
    this.outbox.kick();
    try {
      await this.accounts.sync(record);
    } catch (error) {
      await this.undoCreate(record).catch((undoError: unknown) => {
        this.logger.warn({ err: undoError, userId: id }, 'could not take back a user whose account was not enabled; deleting it repairs it');
      });
      throw error;
    }
    return record;
  }

  async get(id: string, principal: Principal | undefined): Promise<User> {
    requireSelfOr(principal, id, 'users:read');
    return toUser(await this.found(this.store.findById(id)));
  }

  /**
   * Two transactions: the first checks the whole change (rank, roles, last admin) and commits
   * without writing, so no lock is held while the account directory works; then the account is
   * prepared (new email or name, roles taken away) and a new password set (ending the other
   * sessions); the second transaction checks again and writes the profile and its event; last the
   * account gets what the change gives (roles added). If the second one fails after a password
   * was set (the email was taken meanwhile, the user was deleted), the password change stands and
   * is recorded on its own, the account is put back as the table says, and the error is answered.
   * An update that changes nothing still brings the account in step: repeating a request repairs
   * an account a failure left behind.
   */
  async update({ id, changes: request }: UpdateUserCommand, principal: Principal | undefined): Promise<User> {
    const caller = requireSelfOr(principal, id, 'users:write');
    if (request.email !== undefined) await this.ensureEmailFree(request.email, id);
    await this.confirmCurrentPassword(caller, id, request);
    const first = await this.store.transaction((tx) => this.plan(tx, caller, id, request));
    let endedSessions: string[] = [];
    try {
      await this.accounts.prepare(first.current, first.next);
      // Users changing their own password stay logged in where they did it; everywhere else they are logged out.
      if (request.password !== undefined) endedSessions = await this.accounts.setPassword(id, request.password, caller.sub === id ? caller.sid : undefined);
    } catch (error) {
      await this.resyncAccount(id);
      throw error;
    }
    const sessions = endedSessions.length > 0 ? { endedSessions } : {};
    const planned = await this.store.transaction(async (tx) => {
      const plan = await this.plan(tx, caller, id, request);
      if (plan.changed.length === 0) return plan;
      await tx.update(id, { ...plan.changes, updatedAt: plan.next.updatedAt });
      await tx.appendEvent(domainEvent('users.user.updated', { user: toUser(plan.next), changed: plan.changed, ...sessions }));
      return plan;
    }).catch(async (error: unknown) => {
      if (request.password !== undefined) await this.recordPasswordChange(id, endedSessions).catch(() => undefined);
      await this.resyncAccount(id);
      throw asEmailConflict(error);
    });
    if (planned.changed.length > 0) this.outbox.kick();
    await this.accounts.sync(planned.next);
    return toUser(planned.next);
  }

  /**
   * The rules are checked first without writing; the account is locked (it can no longer sign
   * in); then the user is deleted with its event, the rules checked again; last the account is
   * deleted. The deletion here fails → the account is unlocked again. Deleting the account fails
   * → it stays locked, and the user is gone anyway (the next create of that email takes it over).
   */
  async delete(id: string, principal: Principal | undefined): Promise<{ ok: true }> {
    const caller = requirePermission(principal, 'users:delete');
    await this.store.transaction((tx) => this.checkDeletion(tx, caller, id));
    await this.accounts.suspend(id);
    try {
      await this.store.transaction(async (tx) => {
        const current = await this.checkDeletion(tx, caller, id);
        await tx.remove(id);
        await tx.appendEvent(domainEvent('users.user.deleted', { id, email: current.email }));
      });
    } catch (error) {
      await this.resyncAccount(id);
      throw error;
    }
    this.outbox.kick();
    await this.discardAccount(id);
    return { ok: true };
  }

  async list(command: ListUsersCommand, principal: Principal | undefined): Promise<UserList> {
    requirePermission(principal, 'users:read');
    const page = await this.store.list({
      limit: command.limit,
      ...(command.cursor === undefined ? {} : { cursor: decodePageCursor(command.cursor) }),
      ...(command.q === undefined || command.q === '' ? {} : { q: command.q }),
    });
    return { items: page.items.map(toUser), nextCursor: page.next ? encodePageCursor(page.next) : null };
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
    await this.accounts.confirmPassword(id, request.currentPassword);
  }

  /** Locks the user (and the admins, for a demotion) and checks the change against the rules; writes nothing. */
  private async plan(tx: UsersWriter, caller: Principal, id: string, request: UpdateUserCommand['changes']): Promise<PlannedUpdate> {
    const current = await this.found(tx.findByIdForUpdate(id));
    requireNotOutranked(caller, current);
    if (request.roles !== undefined) requireRoleAssignment(caller, request.roles, current.roles);
    const changes = profileChanges(current, request);
    if (current.roles.includes('admin') && changes.roles && !changes.roles.includes('admin')) requireAnotherAdmin(await tx.lockAdmins(), id);
    const changed = [...Object.keys(changes), ...(request.password === undefined ? [] : ['password'])];
    if (changed.length === 0) return { current, changes, next: current, changed };
    return { current, changes, next: { ...current, ...changes, updatedAt: new Date() }, changed };
  }

  /** Locks the user (and the admins, when it is one) and checks that the caller may delete it; writes nothing. */
  private async checkDeletion(tx: UsersWriter, caller: Principal, id: string): Promise<UserRecord> {
    const current = await this.found(tx.findByIdForUpdate(id));
    requireNotOutranked(caller, current);
    if (current.roles.includes('admin')) requireAnotherAdmin(await tx.lockAdmins(), id);
    return current;
  }

  /** The account took a new password but the profile write failed: the change that did happen gets its event. */
  private async recordPasswordChange(id: string, endedSessions: string[]): Promise<void> {
    const recorded = await this.store.transaction(async (tx) => {
      const current = await tx.findByIdForUpdate(id);
      if (!current) return false; // deleted meanwhile: auth drops its credentials on users.user.deleted
      const next: UserRecord = { ...current, updatedAt: new Date() };
      await tx.update(id, { updatedAt: next.updatedAt });
      await tx.appendEvent(domainEvent('users.user.updated', { user: toUser(next), changed: ['password'], ...(endedSessions.length > 0 ? { endedSessions } : {}) }));
      return true;
    });
    if (recorded) this.outbox.kick();
  }

  /** A user written and announced whose account could not be enabled: deleted again, with its event. */
  private async undoCreate(record: UserRecord): Promise<void> {
    const removed = await this.store.transaction(async (tx) => {
      if (!(await tx.findByIdForUpdate(record.id))) return false;
      await tx.remove(record.id);
      await tx.appendEvent(domainEvent('users.user.deleted', { id: record.id, email: record.email }));
      return true;
    });
    if (removed) this.outbox.kick();
    await this.discardAccount(record.id);
  }

  /** Best effort, after a failed write: the account is put back as the table says (it is gone when the user is). */
  private async resyncAccount(id: string): Promise<void> {
    try {
      const current = await this.store.findById(id);
      await (current ? this.accounts.sync(current) : this.accounts.discard(id));
    } catch (error) {
      this.logger.warn({ err: error, userId: id }, 'could not bring the account back in step; repeating the request repairs it');
    }
  }

  /** Best effort: an account that stays is locked (or was never enabled), and the next create of its email takes it over. */
  private async discardAccount(id: string): Promise<void> {
    await this.accounts.discard(id).catch((error: unknown) => {
      this.logger.warn({ err: error, userId: id }, 'could not delete the account of a user that is gone; it stays unable to sign in');
    });
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

