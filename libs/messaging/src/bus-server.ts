import { randomUUID } from 'node:crypto';
import { Catch, type RpcExceptionFilter } from '@nestjs/common';
import { type CustomTransportStrategy, type MessageHandler, Server } from '@nestjs/microservices';
import { AppError, messageContract, type Principal } from '@np/contracts';
import type { BusModuleName } from '@np/modules';
import { currentRequestContext, type Logger, type MessagingMetrics, runWithRequestContext } from '@np/observability';
import { lastValueFrom, throwError, type Observable } from 'rxjs';
import { acceptEvent } from './accept-event.js';
import { BusContext } from './bus-context.js';
import type { EventEnvelope, ReplyEnvelope, RequestEnvelope } from './envelopes.js';
import type { Transport } from './transport.js';

/** Wraps every handler call, e.g. to give it its own ORM context. */
export type HandlerScope = <T>(fn: () => Promise<T>) => Promise<T>;

/** Turns a forwarded access token into the principal it proves (`@np/auth`'s TokenVerifier). */
export interface PrincipalVerifier {
  verify(token: string): Promise<Principal>;
}

export interface BusServerOptions {
  transport: Transport;
  module: BusModuleName;
  /** Name of this service's durable event subscription. */
  consumer: string;
  logger: Logger;
  metrics?: MessagingMetrics;
  scope?: HandlerScope;
  verifier: PrincipalVerifier;
}

/**
 * A NestJS transport strategy over our `Transport`: `@MessagePattern('users.get')` and
 * `@EventPattern('users.user.deleted')` handlers are served from the module's queue and the
 * service's event subscription. Before a handler sees a request, the sender must be one the
 * pattern admits (internal patterns name their callers), the forwarded access token must verify
 * (it alone gives the handler a principal) and the body must match `@np/contracts`; domain
 * errors travel back as data with their code.
 */
export class BusServer extends Server implements CustomTransportStrategy {
  constructor(private readonly options: BusServerOptions) {
    super();
  }

  listen(callback: (error?: unknown) => void): void {
    this.start().then(() => callback(), callback);
  }

  async close(): Promise<void> {
    // The transport is shared and closed by whoever created it.
  }

  on(): never {
    throw new Error('BusServer does not expose transport events.');
  }

  unwrap<T>(): T {
    return this.options.transport as T;
  }

  private async start(): Promise<void> {
    const eventPatterns = [...this.messageHandlers.entries()].filter(([, handler]) => handler.isEventHandler).map(([pattern]) => pattern);
    await this.options.transport.serve(this.options.module, (request) => this.handleRequestEnvelope(request));
    if (eventPatterns.length > 0) {
      await this.options.transport.subscribe(this.options.consumer, eventPatterns, (event) => this.handleEventEnvelope(event));
    }
  }

  private async handleRequestEnvelope(request: RequestEnvelope): Promise<ReplyEnvelope> {
    return runWithRequestContext({ requestId: request.requestId ?? randomUUID() }, async () => {
      const outcome = await this.dispatchRequest(request).then(
        (body): ReplyEnvelope => ({ ok: true, body }),
        (error: unknown): ReplyEnvelope => ({ ok: false, error: this.toAppError(error, request.pattern).toPayload() }),
      );
      this.options.metrics?.handled.inc({ pattern: request.pattern, outcome: outcome.ok ? 'ok' : outcome.error.code });
      return outcome;
    });
  }

  private async dispatchRequest(request: RequestEnvelope): Promise<unknown> {
    const handler = this.messageHandlers.get(request.pattern);
    const contract = messageContract(request.pattern);
    if (!handler || handler.isEventHandler || !contract) {
      throw new AppError('not_found', `The ${this.options.module} module has no handler for ${String(request.pattern)}.`);
    }
    if (contract.callers && !contract.callers.some((caller) => caller === request.caller)) {
      this.options.logger.warn({ pattern: request.pattern, caller: request.caller }, 'internal pattern refused to a service not entitled to it');
      throw new AppError('forbidden', `${request.pattern} is internal to ${contract.callers.join(', ')}.`);
    }
    const principal = await this.principalOf(request.token);
    const parsed = contract.request.safeParse(request.body);
    if (!parsed.success) throw new AppError('validation_failed', `Invalid ${request.pattern} request.`, parsed.error.issues);
    const context = new BusContext([{ requestId: request.requestId, caller: request.caller, ...(principal ? { principal, token: request.token } : {}) }]);
    // The verified caller becomes the context's actor, so events this handler writes name them.
    const actor = principal ? { requestId: currentRequestContext()?.requestId ?? request.requestId, actorId: principal.sub } : undefined;
    const run = () => this.runScoped(() => this.invoke(handler, parsed.data, context));
    return actor ? runWithRequestContext(actor, run) : run();
  }

  private async principalOf(token: unknown): Promise<Principal | undefined> {
    if (token === undefined) return undefined;
    if (typeof token !== 'string') throw new AppError('token_invalid', 'The forwarded access token is malformed.');
    return this.options.verifier.verify(token);
  }

  /** Calls a Nest handler (which may answer a value, a promise or an observable) and awaits its result. */
  private async invoke(handler: MessageHandler, data: unknown, context: BusContext): Promise<unknown> {
    const result: unknown = await handler(data, context);
    const settled: unknown = await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
    return settled;
  }

  private async handleEventEnvelope(event: EventEnvelope): Promise<void> {
    // Events an event causes keep the original actor.
    await runWithRequestContext({ requestId: event.requestId ?? event.id, ...(event.actorId === undefined ? {} : { actorId: event.actorId }) }, async () => {
      const handler = this.findEventHandler(event.name);
      if (!handler) return;
      const verdict = acceptEvent(event);
      if (!verdict.accepted) {
        // It can never succeed: log it and drop it rather than retry forever.
        this.options.logger.error({ event: event.name, eventId: event.id, publisher: event.publisher, reason: verdict.reason }, 'dropping event');
        return;
      }
      const context = new BusContext([{ requestId: event.requestId ?? event.id }]);
      await this.runScoped(() => this.invoke(handler, { ...event, payload: verdict.payload }, context));
      this.options.metrics?.handled.inc({ pattern: event.name, outcome: 'ok' });
    });
  }

  private findEventHandler(name: string) {
    const exact = this.messageHandlers.get(name);
    if (exact?.isEventHandler) return exact;
    return undefined;
  }

  private runScoped<T>(fn: () => Promise<T>): Promise<T> {
    return this.options.scope ? this.options.scope(fn) : fn();
  }

  private toAppError(error: unknown, pattern: string): AppError {
    if (error instanceof AppError) return error;
    this.options.logger.error({ err: error, pattern }, 'message handler failed');
    return new AppError('internal_error', 'The module failed to handle the request.');
  }
}

/**
 * Nest's default RPC filter turns every error into a generic one; this one lets domain errors
 * reach the BusServer intact so their codes survive the trip.
 */
@Catch()
export class BusExceptionFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}
