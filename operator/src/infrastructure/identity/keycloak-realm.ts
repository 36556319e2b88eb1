import type RoleRepresentation from '@keycloak/keycloak-admin-client/lib/defs/roleRepresentation.js';
import type RealmRepresentation from '@keycloak/keycloak-admin-client/lib/defs/realmRepresentation.js';
import { NotOwnedError, OWNER_MARKER } from '../provisioner.js';
import { TENANT_ROLES, type IdentitySpec } from './identity-spec.js';
import type { KeycloakAdmin } from './keycloak-admin.js';
import { clientUpdate, hasMapperChanges, mapperChanges, missingDefaultScopes, realmUpdate } from './keycloak-drift.js';
import {
  CLAIMS_SCOPE,
  OWNER_ATTRIBUTE,
  TENANT_ATTRIBUTE,
  desiredClaimsScope,
  desiredClients,
  desiredRealm,
  roleDescription,
} from './keycloak-representations.js';

/**
 * The realm-level part of a tenant's identity: the realm (its own, or the shared one), its roles,
 * the claims scope and the clients. Each step reads first and writes only what is missing or wrong.
 */

/** Whether `realm` carries the operator's marker, and (realm mode) belongs to this tenant, not another. */
export function ownsRealm(realm: RealmRepresentation, spec: IdentitySpec): boolean {
  const attributes = realm.attributes ?? {};
  if (attributes[OWNER_ATTRIBUTE] !== OWNER_MARKER) return false;
  // A tenant's own realm is never taken as the shared realm, nor another tenant's as this one's.
  return spec.mode === 'realm' ? attributes[TENANT_ATTRIBUTE] === spec.tenant : attributes[TENANT_ATTRIBUTE] === undefined;
}

export async function readOwnedRealm(admin: KeycloakAdmin, spec: IdentitySpec): Promise<RealmRepresentation | null> {
  const current = await admin.read((kc) => kc.realms.findOne({ realm: spec.realm }));
  if (current && !ownsRealm(current, spec)) throw new NotOwnedError('identity', `realm ${spec.realm}`);
  return current ?? null;
}

export async function ensureRealm(admin: KeycloakAdmin, spec: IdentitySpec): Promise<void> {
  const current = await readOwnedRealm(admin, spec);
  if (!current) {
    await admin.write((kc) => kc.realms.create(desiredRealm(spec)));
    return;
  }
  const update = realmUpdate(current, spec.mode);
  if (update) await admin.write((kc) => kc.realms.update({ realm: spec.realm }, update));
}

/** Creates the missing tenant roles; returns the `admin` role (its id is needed to grant it). */
export async function ensureRoles(admin: KeycloakAdmin, spec: IdentitySpec): Promise<RoleRepresentation> {
  const realm = spec.realm;
  let roles = await admin.read((kc) => kc.roles.find({ realm }));
  const missing = TENANT_ROLES.filter((name) => !roles.some((role) => role.name === name));
  for (const name of missing) await admin.write((kc) => kc.roles.create({ realm, name, description: roleDescription(name) }));
  if (missing.length) roles = await admin.read((kc) => kc.roles.find({ realm }));
  const adminRole = roles.find((role) => role.name === 'admin');
  if (!adminRole?.id) throw new Error(`realm ${realm} has no admin role after creating it`);
  return adminRole;
}

/** Creates or repairs the claims scope and its mappers; returns every client scope's id by name. */
export async function ensureClaimsScope(admin: KeycloakAdmin, spec: IdentitySpec): Promise<Map<string, string>> {
  const realm = spec.realm;
  const scopes = await admin.read((kc) => kc.clientScopes.find({ realm }));
  const ids = new Map(scopes.filter((scope) => scope.name && scope.id).map((scope) => [scope.name!, scope.id!]));
  const desired = desiredClaimsScope(spec);
  const current = scopes.find((scope) => scope.name === CLAIMS_SCOPE);
  if (!current?.id) {
    const { id } = await admin.write((kc) => kc.clientScopes.create({ realm, ...desired }));
    ids.set(CLAIMS_SCOPE, id);
    return ids;
  }
  const id = current.id;
  const changes = mapperChanges(current.protocolMappers, desired.protocolMappers ?? []);
  if (!hasMapperChanges(changes)) return ids;
  for (const { current: stale } of changes.replace) {
    await admin.write((kc) => kc.clientScopes.delProtocolMapper({ realm, id, mapperId: stale.id! }));
  }
  for (const mapper of [...changes.add, ...changes.replace.map(({ desired: mapper }) => mapper)]) {
    await admin.write((kc) => kc.clientScopes.addProtocolMapper({ realm, id }, mapper));
  }
  for (const mapper of changes.update) {
    await admin.write((kc) => kc.clientScopes.updateProtocolMapper({ realm, id, mapperId: mapper.id! }, mapper));
  }
  return ids;
}

/**
 * Creates or repairs the gateway's, the users module's and the public clients, with their default
 * scopes; returns each client's id by client id.
 */
export async function ensureClients(admin: KeycloakAdmin, spec: IdentitySpec, scopeIds: Map<string, string>): Promise<Map<string, string>> {
  const realm = spec.realm;
  const ids = new Map<string, string>();
  for (const desired of desiredClients(spec)) {
    const clientId = desired.clientId!;
    const [current] = await admin.read((kc) => kc.clients.find({ realm, clientId }));
    if (!current?.id) {
      const { id } = await admin.write((kc) => kc.clients.create({ realm, ...desired }));
      ids.set(clientId, id);
      continue;
    }
    const id = current.id;
    ids.set(clientId, id);
    const update = clientUpdate(current, desired, spec.mode);
    if (update) await admin.write((kc) => kc.clients.update({ realm, id }, update));
    for (const scope of missingDefaultScopes(current, desired)) {
      const clientScopeId = scopeIds.get(scope);
      // A default scope of Keycloak's that an admin deleted from the realm is not the operator's to bring back.
      if (clientScopeId) await admin.write((kc) => kc.clients.addDefaultClientScope({ realm, id, clientScopeId }));
    }
  }
  return ids;
}
