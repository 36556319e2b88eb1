import type UserRepresentation from '@keycloak/keycloak-admin-client/lib/defs/userRepresentation.js';
import { Inject, Injectable } from '@nestjs/common';
import { platformRolesOf } from '@np/auth';
import { uuidSchema } from '@np/contracts';
import { domainEvent, type OutboxSignal } from '@np/messaging';
import type { Logger } from '@np/observability';
import { LOGGER, OUTBOX } from '@np/runtime';
import { asEmailConflict } from '../profiles/email-conflict.js';
import { toUser, type UserRecord } from '../profiles/user-record.js';
import { UsersRepository, type UsersStore } from '../profiles/users.repository.js';
import { RealmAdmin } from './realm-admin.js';

const PAGE = 100;

/**
 * Users the realm has and this module does not: the tenant's first admin, which the operator
 * creates in the realm, and anyone made in Keycloak's console. At start, every enabled realm user
 * holding a platform role is recorded here under its realm id (with its `users.user.created`
 * event), so `me`, profiles and the last-admin rule know them. Realm users without a platform
 * role are not platform users and are left out.
 */
@Injectable()
export class RealmUsersImport {
  constructor(
    @Inject(RealmAdmin) private readonly admin: RealmAdmin,
    @Inject(UsersRepository) private readonly store: UsersStore,
    @Inject(OUTBOX) private readonly outbox: OutboxSignal,
    @Inject(LOGGER) private readonly logger: Pick<Logger, 'info' | 'warn'>,
  ) {}

  /** Answers how many users were recorded. */
  async run(): Promise<number> {
    let recorded = 0;
    for (let first = 0; ; first += PAGE) {
      const page = await this.admin.call('listing the users', (kc, realm) => kc.users.find({ realm, first, max: PAGE, enabled: true, briefRepresentation: true }));
      for (const user of page) if (await this.record(user)) recorded += 1;
      if (page.length < PAGE) break;
    }
    if (recorded > 0) this.logger.info({ recorded }, 'recorded the realm users this module did not know');
    return recorded;
  }

  private async record(user: UserRepresentation): Promise<boolean> {
    const { id, email } = user;
    if (id === undefined || !uuidSchema.safeParse(id).success || !email || user.enabled === false) return false;
    if (await this.store.findById(id)) return false;
    const mapped = await this.admin.call('reading the role mappings', (kc, realm) => kc.users.listRealmRoleMappings({ realm, id }));
    const roles = platformRolesOf(mapped.map(({ name }) => name ?? '')) ?? [];
    if (roles.length === 0) return false;
    const now = new Date();
    const record: UserRecord = { id, email: email.toLowerCase(), displayName: displayNameOf(user), roles, createdAt: new Date(user.createdTimestamp ?? now.getTime()), updatedAt: now };
    try {
      await this.store.transaction(async (tx) => {
        if (await tx.findByIdForUpdate(id)) return;
        await tx.insert(record);
        await tx.appendEvent(domainEvent('users.user.created', { user: toUser(record) }));
      });
    } catch (error) {
      // Another replica recorded it meanwhile.
      if (await this.store.findById(id)) return false;
      if (asEmailConflict(error) === error) throw error;
      // Another user here has that email: the realm and this module disagree, and a person must decide.
      this.logger.warn({ userId: id }, 'a realm user has the email of another user here; not recorded');
      return false;
    }
    this.outbox.kick();
    return true;
  }
}

function displayNameOf(user: UserRepresentation): string {
  const name = [user.firstName, user.lastName].filter((part) => part !== undefined && part !== '').join(' ');
  return name !== '' ? name.slice(0, 200) : (user.email ?? 'User').split('@')[0]!.slice(0, 200);
}
