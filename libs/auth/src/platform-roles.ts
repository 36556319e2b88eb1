import { ROLES, type Role } from '@np/contracts';

/**
 * The platform's roles among a token's `roles` claim, in the platform's order. An external issuer
 * puts every realm role there: a Keycloak realm adds its own (`default-roles-<realm>`,
 * `offline_access`, `uma_authorization`) and an administrator may add roles for other
 * applications. None of those grants anything here, and none makes a token invalid: a role is
 * worth what the platform says it is worth. Undefined when the claim is not a list of strings.
 */
export function platformRolesOf(claim: unknown): Role[] | undefined {
  if (!Array.isArray(claim) || !claim.every((role): role is string => typeof role === 'string')) return undefined;
  return ROLES.filter((role) => claim.includes(role));
}
