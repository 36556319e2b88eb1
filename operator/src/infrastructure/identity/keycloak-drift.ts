import type ClientRepresentation from '@keycloak/keycloak-admin-client/lib/defs/clientRepresentation.js';
import type ProtocolMapperRepresentation from '@keycloak/keycloak-admin-client/lib/defs/protocolMapperRepresentation.js';
import type RealmRepresentation from '@keycloak/keycloak-admin-client/lib/defs/realmRepresentation.js';
import type UserRepresentation from '@keycloak/keycloak-admin-client/lib/defs/userRepresentation.js';
import type { IdentityMode } from './identity-spec.js';

/**
 * What differs between Keycloak's objects and the desired ones, in the fields the operator manages;
 * everything else (ids, Keycloak's own attributes, settings an admin changed) is left as it is.
 * Each function returns the body to send, or undefined when nothing needs a write.
 */

const CLIENT_FLAGS = [
  'enabled',
  'publicClient',
  'clientAuthenticatorType',
  'secret',
  'standardFlowEnabled',
  'implicitFlowEnabled',
  'directAccessGrantsEnabled',
  'serviceAccountsEnabled',
] as const;

/**
 * Redirect URIs and web origins: exactly the spec's in realm mode (the realm is the tenant's); in
 * organization mode the clients are shared, so the tenant's are added and the others' kept.
 */
function mergeUris(current: string[] | undefined, desired: string[] | undefined, mode: IdentityMode): string[] | undefined {
  const have = current ?? [];
  const want = desired ?? [];
  if (mode === 'organization') {
    const missing = want.filter((uri) => !have.includes(uri));
    return missing.length ? [...have, ...missing] : undefined;
  }
  const same = have.length === want.length && want.every((uri) => have.includes(uri));
  return same ? undefined : want;
}

/** The client to PUT (current with the desired managed fields), or undefined when it matches. */
export function clientUpdate(current: ClientRepresentation, desired: ClientRepresentation, mode: IdentityMode): ClientRepresentation | undefined {
  let changed = false;
  const next: ClientRepresentation = { ...current };
  for (const flag of CLIENT_FLAGS) {
    if (desired[flag] !== undefined && current[flag] !== desired[flag]) {
      Object.assign(next, { [flag]: desired[flag] });
      changed = true;
    }
  }
  const redirectUris = mergeUris(current.redirectUris, desired.redirectUris, mode);
  if (redirectUris) {
    next.redirectUris = redirectUris;
    changed = true;
  }
  const webOrigins = mergeUris(current.webOrigins, desired.webOrigins, mode);
  if (webOrigins) {
    next.webOrigins = webOrigins;
    changed = true;
  }
  const attributes: Record<string, unknown> = { ...current.attributes };
  for (const [key, value] of Object.entries(desired.attributes ?? {})) {
    if (attributes[key] !== value) {
      attributes[key] = value;
      changed = true;
    }
  }
  if (!changed) return undefined;
  // Scopes and mappers have endpoints of their own; an update does not manage them.
  const body: ClientRepresentation = { ...next, attributes };
  delete body.defaultClientScopes;
  delete body.optionalClientScopes;
  delete body.protocolMappers;
  return body;
}

/** Default scopes the desired client has and the current one lacks. */
export function missingDefaultScopes(current: ClientRepresentation, desired: ClientRepresentation): string[] {
  return (desired.defaultClientScopes ?? []).filter((scope) => !(current.defaultClientScopes ?? []).includes(scope));
}

export interface MapperChanges {
  add: ProtocolMapperRepresentation[];
  /** Current mappers (with their ids) with the desired configuration merged in. */
  update: ProtocolMapperRepresentation[];
  /** Mappers of the right name but another kind: deleted, then added again. */
  replace: { current: ProtocolMapperRepresentation; desired: ProtocolMapperRepresentation }[];
}

export function mapperChanges(current: ProtocolMapperRepresentation[] | undefined, desired: ProtocolMapperRepresentation[]): MapperChanges {
  const changes: MapperChanges = { add: [], update: [], replace: [] };
  for (const want of desired) {
    const have = (current ?? []).find((mapper) => mapper.name === want.name);
    if (!have) changes.add.push(want);
    else if (have.protocolMapper !== want.protocolMapper) changes.replace.push({ current: have, desired: want });
    else if (Object.entries(want.config ?? {}).some(([key, value]) => have.config?.[key] !== value)) {
      changes.update.push({ ...have, config: { ...have.config, ...want.config } });
    }
  }
  return changes;
}

export function hasMapperChanges(changes: MapperChanges): boolean {
  return changes.add.length + changes.update.length + changes.replace.length > 0;
}

/** The realm settings the operator insists on: enabled, and organizations on in organization mode. */
export function realmUpdate(current: RealmRepresentation, mode: IdentityMode): RealmRepresentation | undefined {
  const update: RealmRepresentation = {};
  if (current.enabled !== true) update.enabled = true;
  if (mode === 'organization' && current.organizationsEnabled !== true) update.organizationsEnabled = true;
  return Object.keys(update).length ? update : undefined;
}

/** The admin user to PUT: enabled, email verified, the spec's email; names only where missing. */
export function userUpdate(current: UserRepresentation, desired: UserRepresentation): UserRepresentation | undefined {
  const fixes: UserRepresentation = {};
  if (current.enabled !== true) fixes.enabled = true;
  if (current.emailVerified !== true) fixes.emailVerified = true;
  if (current.email !== desired.email) fixes.email = desired.email;
  if (!current.firstName) fixes.firstName = desired.firstName;
  if (!current.lastName) fixes.lastName = desired.lastName;
  return Object.keys(fixes).length ? { ...current, ...fixes } : undefined;
}
