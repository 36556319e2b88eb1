import { z } from 'zod';
import { url } from './fields.js';

/** Who authenticates users: the auth module's own issuer, or a Keycloak realm (the cluster shape). */
export const IDENTITY_PROVIDERS = ['embedded', 'keycloak'] as const;
export type IdentityProviderName = (typeof IDENTITY_PROVIDERS)[number];

/**
 * The identity provider and, for Keycloak, where its realm is. Read by the modules that talk to
 * it (auth signs users in through it, users keeps its accounts in step); the verifiers of every
 * process only need the issuer's identity (`NP_ISSUER`, `NP_JWKS_URL`, `NP_AUDIENCE`).
 */
export const identityProviderSettingsSchema = z.object({
  NP_IDENTITY_PROVIDER: z.enum(IDENTITY_PROVIDERS).default('embedded'),
  /** Keycloak's base URL as this process reaches it, e.g. `http://127.0.0.1:17880`. */
  NP_KEYCLOAK_URL: url(['http', 'https'])
    .transform((value) => value.replace(/\/+$/, ''))
    .optional(),
  /** The tenant's realm (`tenant-<name>`), or the shared realm in organization mode. */
  NP_KEYCLOAK_REALM: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/, 'must be a realm name (letters, digits, ".", "_", "-")')
    .optional(),
});

type WithProvider = { NP_IDENTITY_PROVIDER: IdentityProviderName } & Record<string, unknown>;

/**
 * A refinement for a service's settings: each of `keys` must be set when the provider is
 * Keycloak (they have no sensible default: where Keycloak is, and the service's own secret).
 */
export function requiredWithKeycloak(keys: readonly string[]) {
  return (settings: WithProvider, context: z.RefinementCtx): void => {
    if (settings.NP_IDENTITY_PROVIDER !== 'keycloak') return;
    for (const key of keys) {
      if (settings[key] === undefined || settings[key] === '') context.addIssue({ code: 'custom', path: [key], message: 'required when NP_IDENTITY_PROVIDER is keycloak' });
    }
  };
}

/** The settings of a Keycloak-backed service once `requiredWithKeycloak` has passed. */
export interface KeycloakRealmSettings {
  url: string;
  realm: string;
}

/** Where the realm is, for a service whose settings were refined with `requiredWithKeycloak`. */
export function keycloakRealmOf(settings: { NP_KEYCLOAK_URL?: string | undefined; NP_KEYCLOAK_REALM?: string | undefined }): KeycloakRealmSettings {
  if (settings.NP_KEYCLOAK_URL === undefined || settings.NP_KEYCLOAK_REALM === undefined) {
    throw new Error('NP_KEYCLOAK_URL and NP_KEYCLOAK_REALM are required when NP_IDENTITY_PROVIDER is keycloak');
  }
  return { url: settings.NP_KEYCLOAK_URL, realm: settings.NP_KEYCLOAK_REALM };
}
