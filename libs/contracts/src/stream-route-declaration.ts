import type { z } from 'zod';
import type { BusModuleName } from '@np/modules';
import type { ErrorCode } from './error-codes.js';
import type { RoutePolicy } from './route-policy.js';

export type StreamMethod = 'GET' | 'HEAD' | 'POST' | 'PATCH' | 'DELETE' | 'OPTIONS';

/**
 * One HTTP route whose body or answer is a byte stream (an upload, a download). Bytes never travel
 * over the bus: the module serves the route on its own data listener (its manifest entry's
 * `ports.http`) and the gateway proxies it as a stream after its own steps (module gate, `policy`,
 * revocation, budgets), passing the caller's token on; the module verifies it again. The path is
 * the same on both sides. The OpenAPI document is built from the same declaration.
 */
export interface StreamRouteDeclaration {
  readonly module: BusModuleName;
  readonly methods: readonly StreamMethod[];
  /** Fastify syntax; may end in `*` for a protocol with paths of its own (tus). */
  readonly path: string;
  readonly summary: string;
  readonly policy: RoutePolicy;
  /** For the document only: the module parses and checks them. */
  readonly params?: z.ZodType;
  readonly query?: z.ZodType;
  /** The media type of the request body, when it has one (the document's `requestBody`). */
  readonly requestBody?: { contentType: string; description: string };
  /** The success answer: a status and, for a byte stream, its media type; or a JSON schema. */
  readonly response: { status: number; description: string; contentType?: string; schema?: z.ZodType };
  /** Errors the route may answer besides the gateway's own. */
  readonly errors: readonly ErrorCode[];
  /**
   * The headers of its protocol a browser on another origin must be let to send and to read (tus's
   * `Upload-Offset`, a download's `ETag`), beyond the API's own; the gateway's CORS lists them.
   */
  readonly headers?: { readonly request?: readonly string[]; readonly response?: readonly string[] };
}

export function streamRoute(spec: StreamRouteDeclaration): StreamRouteDeclaration {
  return spec;
}
