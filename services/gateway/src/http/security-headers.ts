import type { SecurityHeadersOptions } from '@nestjs/common';
import type { FastifyCorsOptions } from '@fastify/cors';
import type { GatewaySettings } from '../settings.js';

/**
 * The headers every response carries (Nest's `app.useSecurityHeaders()`, helmet 8's set and
 * defaults): the API answers JSON only, so its policy allows nothing to load and nothing to
 * frame it. HSTS keeps helmet's default (`max-age=31536000; includeSubDomains`): browsers
 * ignore it over plain HTTP, and behind a TLS-terminating ingress it is what a public API wants.
 * The Swagger UI page sets its own policy (`DOCS_CONTENT_SECURITY_POLICY`).
 */
export const SECURITY_HEADERS: SecurityHeadersOptions = {
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: "'none'", frameAncestors: "'none'" } },
  xFrameOptions: { action: 'deny' },
};

/**
 * `/docs`: Swagger UI's own script and stylesheet, its inline style attributes (React sets
 * them) and data: images (the stylesheet's icons), and fetches of the OpenAPI document and
 * "try it out" calls to this origin. Nothing from elsewhere.
 */
export const DOCS_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The methods the API routes use; HEAD rides on GET. */
const API_METHODS = ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'];

/** CORS for the configured origins: the API's methods and request headers, and the response headers clients read. */
export function corsOptions(settings: Pick<GatewaySettings, 'NP_CORS_ORIGINS' | 'NP_CORS_CREDENTIALS'>): FastifyCorsOptions {
  return {
    origin: settings.NP_CORS_ORIGINS,
    methods: API_METHODS,
    allowedHeaders: ['authorization', 'content-type', 'x-request-id'],
    exposedHeaders: ['x-request-id', 'retry-after'],
    credentials: settings.NP_CORS_CREDENTIALS,
    maxAge: 600,
  };
}
