import type { z } from 'zod';
import type { ErrorCode } from './error-codes.js';
import type { MessagePattern, ReplyOf, RequestOf } from './module-contracts.js';
import type { RoutePolicy } from './route-policy.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** The parts of an HTTP request a route turns into its bus request, each parsed by its declared schema. */
export interface HttpParts<Params = unknown, Query = unknown, Body = unknown, Headers = unknown> {
  params: Params;
  query: Query;
  body: Body;
  /** The request headers the route declares a schema for (e.g. `if-match`), parsed by it. */
  headers?: Headers;
  /** The client's address, as the gateway determined it (behind trusted proxies: the forwarded one). */
  ip: string;
}

/**
 * One HTTP route of a module, as data. The gateway registers every declaration the same way:
 * module gate (the module answering `pattern`), `policy`, then `params`/`query`/`body` parsed by
 * their schemas (a part without a schema is not read), then the bus call with the caller's token
 * and an answer with `status` carrying the bus reply (no body for 204). The OpenAPI document is
 * built from the same declarations; the response schema is the pattern's reply schema, so the
 * document cannot promise other than what the module sends.
 */
export interface RouteDeclaration {
  readonly method: HttpMethod;
  /** Fastify syntax: `/v1/users/:id`. */
  readonly path: string;
  readonly summary: string;
  readonly policy: RoutePolicy;
  readonly params?: z.ZodType;
  readonly query?: z.ZodType;
  readonly body?: z.ZodType;
  /** Request headers the route reads (lower-case names), parsed like the other parts. */
  readonly headers?: z.ZodType;
  /** Response headers made from the reply (an `ETag` from a version). */
  readonly responseHeaders?: (reply: unknown) => Record<string, string>;
  readonly status: 200 | 201 | 202 | 204;
  readonly pattern: MessagePattern;
  /** Builds the bus request from the parsed parts (the bus client validates it once more before sending). */
  readonly toBus: (parts: HttpParts) => unknown;
  /** Domain errors the route may answer, for the document (validation and token errors are added for every route that can raise them). */
  readonly errors: readonly ErrorCode[];
}

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteSpec<
  P extends MessagePattern,
  PS extends z.ZodType | undefined,
  QS extends z.ZodType | undefined,
  BS extends z.ZodType | undefined,
  HS extends z.ZodType | undefined = undefined,
> {
  method: HttpMethod;
  path: string;
  summary: string;
  policy: RoutePolicy;
  params?: PS;
  query?: QS;
  body?: BS;
  headers?: HS;
  responseHeaders?: (reply: ReplyOf<P>) => Record<string, string>;
  /** 200 when not given. */
  status?: 200 | 201 | 202 | 204;
  pattern: P;
  toBus: (parts: HttpParts<Parsed<PS>, Parsed<QS>, Parsed<BS>, Parsed<HS>>) => RequestOf<P>;
  errors?: readonly ErrorCode[];
}

/**
 * Declares a route with `toBus` type-checked against the parsed parts and the pattern's request.
 * The declaration keeps the erased signature: the gateway calls `toBus` only with parts its
 * schemas produced, which is exactly what the typed function expects.
 */
export function route<
  P extends MessagePattern,
  PS extends z.ZodType | undefined = undefined,
  QS extends z.ZodType | undefined = undefined,
  BS extends z.ZodType | undefined = undefined,
  HS extends z.ZodType | undefined = undefined,
>(spec: RouteSpec<P, PS, QS, BS, HS>): RouteDeclaration {
  const { params, query, body, headers, responseHeaders, status, errors, toBus, ...rest } = spec;
  return {
    ...rest,
    ...(params === undefined ? {} : { params }),
    ...(query === undefined ? {} : { query }),
    ...(body === undefined ? {} : { body }),
    ...(headers === undefined ? {} : { headers }),
    ...(responseHeaders === undefined ? {} : { responseHeaders: responseHeaders as (reply: unknown) => Record<string, string> }),
    status: status ?? 200,
    toBus: toBus as (parts: HttpParts) => unknown,
    errors: errors ?? [],
  };
}
