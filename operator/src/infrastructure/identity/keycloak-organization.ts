import type OrganizationRepresentation from '@keycloak/keycloak-admin-client/lib/defs/organizationRepresentation.js';
import { NotOwnedError, OWNER_MARKER } from '../provisioner.js';
import type { IdentitySpec } from './identity-spec.js';
import { KeycloakConflict, type KeycloakAdmin } from './keycloak-admin.js';
import { OWNER_ATTRIBUTE, TENANT_ATTRIBUTE, desiredOrganization } from './keycloak-representations.js';

/** Organization mode: the tenant is an organization (name and alias: the tenant's name) in the shared realm. */

function ownsOrganization(organization: OrganizationRepresentation, spec: IdentitySpec): boolean {
  const attributes = organization.attributes ?? {};
  return organization.alias === spec.tenant && attributes[OWNER_ATTRIBUTE]?.[0] === OWNER_MARKER && attributes[TENANT_ATTRIBUTE]?.[0] === spec.tenant;
}

function notOwned(spec: IdentitySpec): NotOwnedError {
  return new NotOwnedError('identity', `organization ${spec.tenant} in realm ${spec.realm}`);
}

/** The tenant's organization with its attributes, or null; NotOwnedError when the name is someone else's. */
export async function readOwnedOrganization(admin: KeycloakAdmin, spec: IdentitySpec): Promise<OrganizationRepresentation | null> {
  const realm = spec.realm;
  const found = await admin.read((kc) => kc.organizations.find({ realm, search: spec.tenant, exact: true }));
  const match = found.find((organization) => organization.alias === spec.tenant || organization.name === spec.tenant);
  if (!match?.id) return null;
  const id = match.id;
  // The list leaves the attributes out.
  const organization = await admin.read((kc) => kc.organizations.findOne({ realm, id }));
  if (!organization) return null;
  if (!ownsOrganization(organization, spec)) throw notOwned(spec);
  return organization;
}

/** Creates or re-enables the organization; returns its id. */
export async function ensureOrganization(admin: KeycloakAdmin, spec: IdentitySpec): Promise<string> {
  const realm = spec.realm;
  const current = await readOwnedOrganization(admin, spec);
  if (!current?.id) {
    try {
      const { id } = await admin.write((kc) => kc.organizations.create({ realm, ...desiredOrganization(spec) }));
      return id;
    } catch (error) {
      // Name or alias taken by an organization the search above did not match as the tenant's.
      if (error instanceof KeycloakConflict) throw notOwned(spec);
      throw error;
    }
  }
  const id = current.id;
  if (current.enabled !== true) await admin.write((kc) => kc.organizations.updateById({ realm, id }, { ...current, enabled: true }));
  return id;
}

/** Deletes the organization and every member's user account. */
export async function removeOrganization(admin: KeycloakAdmin, spec: IdentitySpec): Promise<void> {
  const realm = spec.realm;
  const organization = await readOwnedOrganization(admin, spec);
  if (!organization?.id) return;
  const orgId = organization.id;
  // Deleted users leave the list, so the first page is read again until it is empty.
  const deleted = new Set<string>();
  for (;;) {
    const members = await admin.read((kc) => kc.organizations.listMembers({ realm, orgId, first: 0, max: 100 }));
    if (!members.length) break;
    for (const { id } of members) {
      if (!id) continue;
      if (deleted.has(id)) throw new Error(`user ${id} is still a member of organization ${spec.tenant} after its deletion`);
      await admin.write((kc) => kc.users.del({ realm, id }, { catchNotFound: true }));
      deleted.add(id);
    }
  }
  await admin.write((kc) => kc.organizations.delById({ realm, id: orgId }, { catchNotFound: true }));
}
