import type { SecurityHeadersOptions } from '@nestjs/common';
import type { FastifyCorsOptions } from '@fastify/cors';
import type { RouteDeclaration, StreamRouteDeclaration } from '@np/contracts';
import { z } from 'zod';
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

/** The order methods are listed in; HEAD rides on GET. */
const METHOD_ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];
/** What every route takes and answers besides its own protocol's headers. */
const API_REQUEST_HEADERS = ['authorization', 'content-type', 'x-request-id'];
// `etag`: the version a JSON route answers for its `If-Match` (backoffice settings).
const API_RESPONSE_HEADERS = ['x-request-id', 'retry-after', 'etag'];

/** What CORS reads of the routes the gateway serves: their methods, and the stream routes' headers. */
export interface DeclaredRoutes {
  routes: readonly Pick<RouteDeclaration, 'method' | 'headers'>[];
  streams: readonly Pick<StreamRouteDeclaration, 'methods' | 'headers'>[];
}

/**
 * CORS for the configured origins: every method a declared route uses (so a new route needs no
 * change here), the API's request headers and those its stream routes declare (tus, ranges), and
 * the response headers clients read.
 */
export function corsOptions(settings: Pick<GatewaySettings, 'NP_CORS_ORIGINS' | 'NP_CORS_CREDENTIALS'>, declared: DeclaredRoutes): FastifyCorsOptions {
  const used = new Set<string>([...declared.routes.map((route) => route.method), ...declared.streams.flatMap((stream) => stream.methods)]);
  if (used.has('GET')) used.add('HEAD');
  const streamHeaders = (side: 'request' | 'response') => declared.streams.flatMap((stream) => stream.headers?.[side] ?? []);
  const routeHeaders = declared.routes.flatMap((route) => headerNames(route.headers));
  return {
    origin: settings.NP_CORS_ORIGINS,
    methods: METHOD_ORDER.filter((method) => used.has(method)),
    allowedHeaders: [...new Set([...API_REQUEST_HEADERS, ...routeHeaders, ...streamHeaders('request')])],
    exposedHeaders: [...new Set([...API_RESPONSE_HEADERS, ...streamHeaders('response')])],
    credentials: settings.NP_CORS_CREDENTIALS,
    maxAge: 600,
  };
}

/** The header names a route's `headers` schema reads (an object of lower-case names). */
function headerNames(schema: z.ZodType | undefined): string[] {
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}
