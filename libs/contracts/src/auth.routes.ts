import { loginRequestSchema, logoutRequestSchema, refreshRequestSchema } from './auth.js';
import { type RouteDeclaration, route } from './route-declaration.js';
import { PUBLIC } from './route-policy.js';

/** The auth module's HTTP routes: sign-in, the caller, and the issuer's discovery documents. */
export const AUTH_ROUTES: readonly RouteDeclaration[] = [
  route({
    method: 'POST',
    path: '/v1/auth/login',
    summary: 'Log in with email and password',
    policy: PUBLIC,
    body: loginRequestSchema,
    pattern: 'auth.login',
    // The client address feeds the per-address login throttle.
    toBus: ({ body, ip }) => ({ ...body, ip }),
    errors: ['invalid_credentials', 'login_throttled', 'identity_provider_unavailable'],
  }),
  route({
    method: 'POST',
    path: '/v1/auth/refresh',
    summary: 'Exchange a refresh token for a new token pair',
    policy: PUBLIC,
    body: refreshRequestSchema,
    pattern: 'auth.refresh',
    toBus: ({ body }) => body,
    errors: ['refresh_token_invalid', 'refresh_token_reused', 'identity_provider_unavailable'],
  }),
  route({
    method: 'POST',
    path: '/v1/auth/logout',
    summary: 'Revoke a refresh token and its family',
    policy: PUBLIC,
    body: logoutRequestSchema,
    pattern: 'auth.logout',
    toBus: ({ body }) => body,
    errors: ['identity_provider_unavailable'],
  }),
  route({
    method: 'GET',
    path: '/v1/auth/me',
    summary: 'The caller, as the issuer knows them',
    policy: {},
    pattern: 'auth.me',
    toBus: () => ({}),
  }),
  route({
    method: 'GET',
    path: '/.well-known/openid-configuration',
    summary: 'OpenID Connect discovery document',
    policy: PUBLIC,
    pattern: 'auth.discovery',
    toBus: () => ({}),
  }),
  route({
    method: 'GET',
    path: '/.well-known/jwks.json',
    summary: 'Public keys that sign access tokens',
    policy: PUBLIC,
    pattern: 'auth.jwks',
    toBus: () => ({}),
  }),
];
