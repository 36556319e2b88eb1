import type { UserRecord } from '../profiles/user-record.js';

/** A user about to be created: what its account is made from. */
export interface NewAccount {
  email: string;
  displayName: string;
}

/**
 * Where users' accounts live besides this module's table: passwords and sign-in. With the
 * embedded issuer that is the auth module (it keeps passwords; sessions are its own); with
 * Keycloak it is the tenant's realm, kept in step here. `UsersService` calls these in an order
 * that never lets an account hold more than the users table says (see the README's "Accounts"):
 * an account can sign in only once its user is committed, loses roles before the table does and
 * gains them after, and is locked before its user is deleted.
 */
export interface AccountDirectory {
  /** Makes the account of a user about to be written, unable to sign in until `sync`; answers its id, the user's id. */
  open(account: NewAccount, password: string | undefined): Promise<string>;
  /** Makes the account what `record` says (email, name, roles, able to sign in). Idempotent: also the repair of an account left behind. */
  sync(record: UserRecord): Promise<void>;
  /** Before a change of `current` into `next` is written: applies what gives the account nothing more (a new email or name, roles taken away). */
  prepare(current: UserRecord, next: UserRecord): Promise<void>;
  /**
   * Sets the password and ends the user's other sessions (all of them without `keepSessionId`).
   * Answers the sessions it ended for auth to revoke their access tokens; none when auth ended them itself.
   */
  setPassword(userId: string, password: string, keepSessionId?: string): Promise<string[]>;
  /** Rejects with `current_password_invalid` unless `password` is the user's current one. */
  confirmPassword(userId: string, password: string): Promise<void>;
  /** Before the user is deleted here: the account can no longer sign in. */
  suspend(userId: string): Promise<void>;
  /** The user is gone here (deleted, or never written): the account goes too. */
  discard(userId: string): Promise<void>;
}

export const ACCOUNT_DIRECTORY = Symbol('np.users.account-directory');
