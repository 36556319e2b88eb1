import type { DiscoveryDocument } from '@np/contracts';
import type { AuthSettings } from './settings.js';

/** The OpenID Connect discovery document; endpoints are the gateway's routes under the issuer. */
export function discoveryDocument(settings: Pick<AuthSettings, 'NP_ISSUER'>): DiscoveryDocument {
  const issuer = settings.NP_ISSUER;
  return {
    issuer,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    token_endpoint: `${issuer}/v1/auth/login`,
    userinfo_endpoint: `${issuer}/v1/auth/me`,
    revocation_endpoint: `${issuer}/v1/auth/logout`,
    grant_types_supported: ['password', 'refresh_token'],
    response_types_supported: ['token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['ES256'],
    token_endpoint_auth_methods_supported: ['none'],
    claims_supported: ['iss', 'aud', 'sub', 'exp', 'iat', 'jti', 'tenant', 'roles', 'email', 'name'],
  };
}
