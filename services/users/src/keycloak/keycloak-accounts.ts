import type RoleRepresentation from '@keycloak/keycloak-admin-client/lib/defs/roleRepresentation.js';
import type UserRepresentation from '@keycloak/keycloak-admin-client/lib/defs/userRepresentation.js';
import { Inject, Injectable } from '@nestjs/common';
import { AppError, type Role } from '@np/contracts';
import type { BusClient } from '@np/messaging';
import type { Logger } from '@np/observability';
import { BUS_CLIENT, LOGGER } from '@np/runtime';
import { emailTakenError } from '../profiles/email-conflict.js';
import type { UserRecord } from '../profiles/user-record.js';
import { UsersRepository, type UsersReader } from '../profiles/users.repository.js';
import type { AccountDirectory, NewAccount } from '../accounts/account-directory.js';
import { RealmAdmin, RealmConflict, RealmRefusal } from './realm-admin.js';
import { newRealmUsername, realmUserFields, realmUserUpdate, roleChanges } from './realm-user.js';

/**
 * Users' accounts in the tenant's Keycloak realm, kept in step with the users table through the
 * admin API. The realm user's id is the platform user's id, so a realm token's `sub` names the
 * user here. A realm user that is disabled and has no user here is the remains of an interrupted
 * create (or delete): the next create of that email takes it over. An enabled one is someone's
 * live account: its email is taken.
 */
@Injectable()
export class KeycloakAccounts implements AccountDirectory {
  constructor(
    @Inject(RealmAdmin) private readonly admin: RealmAdmin,
    @Inject(UsersRepository) private readonly users: UsersReader,
    @Inject(BUS_CLIENT) private readonly bus: Pick<BusClient, 'call'>,
    @Inject(LOGGER) private readonly logger: Pick<Logger, 'warn'>,
  ) {}

  async open(account: NewAccount, password: string | undefined): Promise<string> {
    let id: string;
    try {
      ({ id } = await this.admin.call('creating the user', (kc, realm) => kc.users.create({ realm, username: newRealmUsername(), ...realmUserFields(account, false) })));
    } catch (error) {
      if (error instanceof RealmConflict) return this.takeOver(account, password);
      throw asValidationError(error, 'body');
    }
    if (password === undefined) return id;
    try {
      // Apart from the creation, so a password the realm's policy refuses is answered as the password's fault.
      await this.setPassword(id, password);
    } catch (error) {
      await this.discard(id).catch(() => undefined); // else left disabled: the next create of this email takes it over
      throw error;
    }
    return id;
  }

  async sync(record: UserRecord): Promise<void> {
    await this.write(record.id, realmUserFields(record, true));
    await this.setRoles(record.id, record.roles);
  }

  async prepare(current: UserRecord, next: UserRecord): Promise<void> {
    if (current.email !== next.email || current.displayName !== next.displayName) {
      // Keycloak checks the email is free in the realm too: a conflict is answered before anything is written here.
      await this.write(current.id, realmUserFields(next, true));
    }
    const { remove } = roleChanges(current.roles, next.roles);
    if (remove.length > 0) await this.unmapRoles(current.id, remove);
  }

  async setPassword(userId: string, password: string, keepSessionId?: string): Promise<string[]> {
    try {
      await this.admin.call('setting the password', (kc, realm) => kc.users.resetPassword({ realm, id: userId, credential: { type: 'password', value: password, temporary: false } }));
    } catch (error) {
      throw asValidationError(error, 'body.password');
    }
    // Keycloak leaves sessions alone when an admin sets a password: the other ones end here, and auth revokes their access tokens.
    const sessions = await this.admin.call('listing the sessions', (kc, realm) => kc.users.listSessions({ realm, id: userId }));
    const ended: string[] = [];
    for (const { id } of sessions) {
      if (id === undefined || id === keepSessionId) continue;
      await this.admin.call('ending a session', (kc, realm) => kc.realms.deleteSession({ realm, session: id, isOffline: false }));
      ended.push(id);
    }
    return ended;
  }

  /** Only auth can sign in through the realm: it checks the password with the gateway's client. */
  async confirmPassword(userId: string, password: string): Promise<void> {
    await this.bus.call('auth.credentials.verify', { userId, password });
  }

  async suspend(userId: string): Promise<void> {
    const current = await this.find(userId);
    if (!current) return;
    const update = realmUserUpdate(current, { enabled: false });
    if (update) await this.admin.call('disabling the user', (kc, realm) => kc.users.update({ realm, id: userId }, update));
  }

  async discard(userId: string): Promise<void> {
    await this.admin.call('deleting the user', (kc, realm) => kc.users.del({ realm, id: userId }, { catchNotFound: true }));
  }

  /**
   * The email belongs to a realm user already. Disabled and unknown here, it is what an
   * interrupted create left (the create that failed after making it): it is made anew, its
   * password the new one or none, and still disabled until the user is written.
   */
  private async takeOver(account: NewAccount, password: string | undefined): Promise<string> {
    const email = account.email.toLowerCase();
    const [found] = await this.admin.call('finding the user', (kc, realm) => kc.users.find({ realm, email, exact: true }));
    const id = found?.id;
    if (id === undefined || found?.enabled !== false || (await this.users.findById(id))) throw emailTakenError();
    this.logger.warn({ userId: id }, 'taking over a disabled realm user left by an interrupted create');
    await this.write(id, realmUserFields(account, false), found);
    if (password !== undefined) {
      await this.setPassword(id, password);
      return id;
    }
    const credentials = await this.admin.call('reading the credentials', (kc, realm) => kc.users.getCredentials({ realm, id }));
    for (const credential of credentials) {
      const credentialId = credential.id;
      if (credential.type === 'password' && credentialId !== undefined) {
        await this.admin.call('removing the old password', (kc, realm) => kc.users.deleteCredential({ realm, id, credentialId }));
      }
    }
    return id;
  }

  private async find(id: string): Promise<UserRepresentation | undefined> {
    return (await this.admin.call('reading the user', (kc, realm) => kc.users.findOne({ realm, id }))) ?? undefined;
  }

  /** Sets the owned fields of the realm user `id` (read first unless given). */
  private async write(id: string, desired: UserRepresentation, known?: UserRepresentation): Promise<void> {
    const current = known ?? (await this.find(id));
    if (!current) throw new AppError('identity_provider_unavailable', 'The identity provider has no account for this user; it was deleted there.');
    const update = realmUserUpdate(current, desired);
    if (!update) return;
    try {
      await this.admin.call('updating the user', (kc, realm) => kc.users.update({ realm, id }, update));
    } catch (error) {
      if (error instanceof RealmConflict) throw emailTakenError();
      throw asValidationError(error, 'body');
    }
  }

  private async setRoles(id: string, roles: readonly Role[]): Promise<void> {
    const mapped = await this.admin.call('reading the role mappings', (kc, realm) => kc.users.listRealmRoleMappings({ realm, id }));
    const { add, remove } = roleChanges(names(mapped), roles);
    if (remove.length > 0) await this.unmapRoles(id, remove, mapped);
    if (add.length === 0) return;
    // The users client may not read the realm's roles, only those it can map to this user.
    const available = await this.admin.call('reading the mappable roles', (kc, realm) => kc.users.listAvailableRealmRoleMappings({ realm, id }));
    const toAdd = withIds(available, add);
    if (toAdd.length < add.length) throw new AppError('identity_provider_unavailable', `The realm lacks one of the roles ${add.join(', ')}.`);
    await this.admin.call('mapping the roles', (kc, realm) => kc.users.addRealmRoleMappings({ realm, id, roles: toAdd }));
  }

  private async unmapRoles(id: string, roles: readonly Role[], known?: RoleRepresentation[]): Promise<void> {
    const mapped = known ?? (await this.admin.call('reading the role mappings', (kc, realm) => kc.users.listRealmRoleMappings({ realm, id })));
    const toRemove = withIds(mapped, roles);
    if (toRemove.length > 0) await this.admin.call('unmapping roles', (kc, realm) => kc.users.delRealmRoleMappings({ realm, id, roles: toRemove }));
  }
}

function names(roles: readonly RoleRepresentation[]): string[] {
  return roles.flatMap(({ name }) => (name === undefined ? [] : [name]));
}

function withIds(roles: readonly RoleRepresentation[], wanted: readonly Role[]): { id: string; name: string }[] {
  return roles.flatMap(({ id, name }) => (id !== undefined && name !== undefined && (wanted as readonly string[]).includes(name) ? [{ id, name }] : []));
}

/** Keycloak refused what the request carries (a password its policy refuses, a name it will not store): the caller's 400. */
function asValidationError(error: unknown, path: string): unknown {
  if (!(error instanceof RealmRefusal)) return error;
  return new AppError('validation_failed', 'The identity provider refused the value.', [{ path, message: `Keycloak: ${error.message}` }]);
}
