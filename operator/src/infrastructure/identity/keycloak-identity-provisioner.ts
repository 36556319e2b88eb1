import { ServerUnavailableError, type Provisioner, type ServerCalls } from '../provisioner.js';
import { assertValidIdentitySpec, type IdentitySpec } from './identity-spec.js';
import { KeycloakAdmin, KeycloakConflict, type KeycloakAdminSettings } from './keycloak-admin.js';
import { ensureAdminUser, removeStrayAdminUser } from './keycloak-admin-user.js';
import { ensureOrganization, removeOrganization } from './keycloak-organization.js';
import { ensureClaimsScope, ensureClients, ensureRealm, ensureRoles, readOwnedRealm } from './keycloak-realm.js';
import { ensureUsersServiceAccount } from './keycloak-users-client.js';

/** Tries of a whole ensure when Keycloak answers 409 (something was created between our read and write). */
const CONFLICT_TRIES = 3;

/**
 * A tenant's identity in Keycloak through its admin API (`@keycloak/keycloak-admin-client`):
 * realm mode gives the tenant realm `tenant-<name>`; organization mode an organization in a shared
 * realm that the first tenant's ensure creates. On a converged tenant an ensure only reads (11 GETs
 * in realm mode, 14 in organization mode, plus a login once a minute).
 */
export class KeycloakIdentityProvisioner implements Provisioner<IdentitySpec> {
  readonly kind = 'identity' as const;
  private readonly admin: KeycloakAdmin;

  constructor(settings: KeycloakAdminSettings) {
    this.admin = new KeycloakAdmin(settings);
  }

  get calls(): ServerCalls {
    return this.admin.calls;
  }

  async ensure(spec: IdentitySpec): Promise<void> {
    assertValidIdentitySpec(spec);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.converge(spec);
        return;
      } catch (error) {
        if (!(error instanceof KeycloakConflict)) throw error;
        // Read again: the next round finds what was created and checks that it is the operator's.
        if (attempt < CONFLICT_TRIES) continue;
        throw new ServerUnavailableError('identity', `Keycloak at ${this.admin.url} kept answering 409 for realm ${spec.realm}: ${error.message}`, { cause: error });
      }
    }
  }

  async remove(spec: IdentitySpec): Promise<void> {
    assertValidIdentitySpec(spec);
    const realm = await readOwnedRealm(this.admin, spec);
    if (!realm) return;
    if (spec.mode === 'realm') {
      await this.admin.write((kc) => kc.realms.del({ realm: spec.realm }, { catchNotFound: true }));
      return;
    }
    // The shared realm stays: other tenants live in it.
    await removeOrganization(this.admin, spec);
    await removeStrayAdminUser(this.admin, spec);
  }

  private async converge(spec: IdentitySpec): Promise<void> {
    await ensureRealm(this.admin, spec);
    const adminRole = await ensureRoles(this.admin, spec);
    const scopeIds = await ensureClaimsScope(this.admin, spec);
    const clientIds = await ensureClients(this.admin, spec, scopeIds);
    const usersClientId = clientIds.get(spec.usersClient.clientId);
    if (!usersClientId) throw new Error(`client ${spec.usersClient.clientId} of realm ${spec.realm} was not created`);
    await ensureUsersServiceAccount(this.admin, spec, usersClientId);
    const organizationId = spec.mode === 'organization' ? await ensureOrganization(this.admin, spec) : undefined;
    await ensureAdminUser(this.admin, spec, adminRole, organizationId);
  }
}
