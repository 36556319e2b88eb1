import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import type { ServerOptions } from 'node:http';

/** The request hook behind Nest's `app.useSecurityHeaders()` (it sets headers on the raw response). */
type SecurityHook = (request: FastifyRequest, response: { setHeader(name: string, value: string): unknown; removeHeader(name: string): unknown }) => Error | undefined;

export type FrameworkErrorResponder = (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => void;

/**
 * Nest's Fastify adapter with our answer to the errors Fastify's router raises before any hook
 * runs (`frameworkErrors`: a malformed percent-encoding, a path parameter over
 * `maxParamLength`). The adapter's own handler would answer in Fastify's error format; ours
 * answers in the error contract, with the same security headers every other response carries.
 */
export class GatewayFastifyAdapter extends FastifyAdapter {
  private readonly securityHeaders: { hook?: SecurityHook };

  constructor(options: FastifyServerOptions & { http: ServerOptions }, respond: FrameworkErrorResponder) {
    const securityHeaders: { hook?: SecurityHook } = {};
    super({
      ...options,
      frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
        securityHeaders.hook?.(request, reply.raw);
        respond(error, request, reply);
      },
    });
    this.securityHeaders = securityHeaders;
  }

  override registerSecurityHook(hook: SecurityHook): void {
    this.securityHeaders.hook = hook;
    super.registerSecurityHook(hook);
  }
}
