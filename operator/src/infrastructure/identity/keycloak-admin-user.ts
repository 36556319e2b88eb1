import type RoleRepresentation from '@keycloak/keycloak-admin-client/lib/defs/roleRepresentation.js';
import { NotOwnedError } from '../provisioner.js';
import type { IdentitySpec } from './identity-spec.js';
import type { KeycloakAdmin } from './keycloak-admin.js';
import { userUpdate } from './keycloak-drift.js';
import { desiredAdminUser } from './keycloak-representations.js';

/**
 * The tenant's first admin. Its password is set when the user is created and never read back or
 * reset (Keycloak cannot return it, and the admin may have changed it). In organization mode the
 * user must be a member of the tenant's organization: one that belongs to another organization is
 * someone else's; one that belongs to none (left by an interrupted ensure) is made a member.
 */
export async function ensureAdminUser(admin: KeycloakAdmin, spec: IdentitySpec, adminRole: RoleRepresentation, organizationId?: string): Promise<void> {
  const realm = spec.realm;
  const desired = desiredAdminUser(spec);
  const username = desired.username!;
  const [current] = await admin.read((kc) => kc.users.find({ realm, username, exact: true }));
  const role = { id: adminRole.id!, name: adminRole.name! };
  if (!current?.id) {
    const { id } = await admin.write((kc) => kc.users.create({ realm, ...desired }));
    await admin.write((kc) => kc.users.addRealmRoleMappings({ realm, id, roles: [role] }));
    if (organizationId) await admin.write((kc) => kc.organizations.addMember({ realm, orgId: organizationId, userId: id }));
    return;
  }
  const id = current.id;
  if (organizationId) {
    const organizations = await admin.read((kc) => kc.organizations.memberOrganizations({ realm, userId: id }));
    if (!organizations.some((organization) => organization.id === organizationId)) {
      if (organizations.length) throw new NotOwnedError('identity', `user ${username} in realm ${realm} (a member of another organization)`);
      await admin.write((kc) => kc.organizations.addMember({ realm, orgId: organizationId, userId: id }));
    }
  }
  const update = userUpdate(current, desired);
  if (update) await admin.write((kc) => kc.users.update({ realm, id }, update));
  const roles = await admin.read((kc) => kc.users.listRealmRoleMappings({ realm, id }));
  if (!roles.some((mapped) => mapped.name === role.name)) await admin.write((kc) => kc.users.addRealmRoleMappings({ realm, id, roles: [role] }));
}

/** Organization mode: deletes the admin user when an interrupted ensure left it outside any organization. */
export async function removeStrayAdminUser(admin: KeycloakAdmin, spec: IdentitySpec): Promise<void> {
  const realm = spec.realm;
  const username = desiredAdminUser(spec).username!;
  const [current] = await admin.read((kc) => kc.users.find({ realm, username, exact: true }));
  if (!current?.id) return;
  const id = current.id;
  const organizations = await admin.read((kc) => kc.organizations.memberOrganizations({ realm, userId: id }));
  if (!organizations.length) await admin.write((kc) => kc.users.del({ realm, id }, { catchNotFound: true }));
}
