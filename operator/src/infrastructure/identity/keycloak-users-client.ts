import type RoleRepresentation from '@keycloak/keycloak-admin-client/lib/defs/roleRepresentation.js';
import { USERS_CLIENT_ROLES, type IdentitySpec } from './identity-spec.js';
import type { KeycloakAdmin } from './keycloak-admin.js';

/** The client holding a realm's admin roles (`manage-users`...), which Keycloak creates with every realm. */
const REALM_MANAGEMENT = 'realm-management';

interface ClientMappings {
  id?: string;
  mappings?: RoleRepresentation[];
}

function realmManagementMappings(clientMappings: Record<string, unknown> | undefined): ClientMappings | undefined {
  const entry: unknown = clientMappings?.[REALM_MANAGEMENT];
  return typeof entry === 'object' && entry !== null ? entry : undefined;
}

/**
 * The users client's service account holds exactly `USERS_CLIENT_ROLES` of realm-management:
 * missing ones are granted, any other realm-management role (granted by hand) is taken away, so
 * the users module can keep the realm's users in step and administer nothing else. Its default
 * realm roles (`default-roles-<realm>`: account roles, offline_access) carry no admin right and
 * stay. A converged service account costs two reads: its user, its role mappings (which name the
 * realm-management client's id).
 */
export async function ensureUsersServiceAccount(admin: KeycloakAdmin, spec: IdentitySpec, usersClientId: string): Promise<void> {
  const realm = spec.realm;
  const account = await admin.read((kc) => kc.clients.getServiceAccountUser({ realm, id: usersClientId }));
  if (!account.id) throw new Error(`client ${spec.usersClient.clientId} of realm ${realm} has no service account user`);
  const id = account.id;
  const mappings = await admin.read((kc) => kc.users.listRoleMappings({ realm, id }));
  const current = realmManagementMappings(mappings.clientMappings);
  const held = current?.mappings ?? [];
  const wanted: readonly string[] = USERS_CLIENT_ROLES;
  const extra = held.filter((role) => !role.name || !wanted.includes(role.name));
  const missing = wanted.filter((name) => !held.some((role) => role.name === name));
  if (!extra.length && !missing.length) return;

  let clientUniqueId = current?.id;
  if (!clientUniqueId) {
    const [client] = await admin.read((kc) => kc.clients.find({ realm, clientId: REALM_MANAGEMENT }));
    if (!client?.id) throw new Error(`realm ${realm} has no ${REALM_MANAGEMENT} client`);
    clientUniqueId = client.id;
  }
  const clientId = clientUniqueId;
  if (extra.length) {
    const roles = extra.map((role) => ({ id: role.id!, name: role.name! }));
    await admin.write((kc) => kc.users.delClientRoleMappings({ realm, id, clientUniqueId: clientId, roles }));
  }
  if (missing.length) {
    const available = await admin.read((kc) => kc.clients.listRoles({ realm, id: clientId }));
    const roles = missing.map((name) => {
      const role = available.find((candidate) => candidate.name === name);
      if (!role?.id) throw new Error(`realm ${realm}: ${REALM_MANAGEMENT} has no role ${name}`);
      return { id: role.id, name };
    });
    await admin.write((kc) => kc.users.addClientRoleMappings({ realm, id, clientUniqueId: clientId, roles }));
  }
}
