import type { DiscoveryDocument } from '@np/contracts';
import type { AuthSettings } from './settings.js';

/**
 * The OpenID Connect discovery document: the configured issuer, and endpoints that are the
 * gateway's routes under its public URL (the same URL as the issuer unless set apart).
 */
export function discoveryDocument(settings: Pick<AuthSettings, 'NP_ISSUER' | 'NP_PUBLIC_URL'>): DiscoveryDocument {
  const base = settings.NP_PUBLIC_URL;
  return {
    issuer: settings.NP_ISSUER,
    jwks_uri: `${base}/.well-known/jwks.json`,
    token_endpoint: `${base}/v1/auth/login`,
    userinfo_endpoint: `${base}/v1/auth/me`,
    revocation_endpoint: `${base}/v1/auth/logout`,
    grant_types_supported: ['password', 'refresh_token'],
    response_types_supported: ['token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['ES256'],
    token_endpoint_auth_methods_supported: ['none'],
    claims_supported: ['iss', 'aud', 'sub', 'exp', 'iat', 'jti', 'tenant', 'roles', 'email', 'name'],
  };
}
