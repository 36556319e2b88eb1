import { RevocationList } from '@np/auth';
import { AppError, type EventPayloadOf, type Principal } from '@np/contracts';
import { acceptEvent, type BusClient, type EventEnvelope, type Transport } from '@np/messaging';
import type { Logger } from '@np/observability';

const REVOCATION_EVENTS = ['auth.session.revoked', 'auth.user.tokens-revoked'] as const;
const RETRY_MS = 1000;

export interface RevocationSyncOptions {
  transport: Transport;
  bus: BusClient;
  logger: Logger;
  /** A full reload this often, besides the events (default 60 s); it also forgets expired entries. */
  resyncMs?: number;
}

/**
 * Keeps this gateway's copy of the revoked sessions and token cut-offs: every replica receives
 * each `auth.session.revoked` / `auth.user.tokens-revoked` event on a queue of its own, and loads
 * the full list from auth whenever that queue is (re)established, since events sent while it did
 * not exist are lost to it. Checking a request is a map lookup; until the first load succeeds,
 * authenticated requests are refused rather than trusted.
 */
export class RevocationSync {
  private readonly list = new RevocationList();
  private loaded = false;
  private reloading: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: RevocationSyncOptions) {}

  start(): void {
    // Not awaited: in the distributed shape the broker may still be coming up; the subscription
    // sets itself up on connect and then asks for the list.
    this.options.transport
      .subscribe('gateway', REVOCATION_EVENTS, (event) => Promise.resolve(this.apply(event)), { broadcast: true, onSubscribed: () => this.reload() })
      .catch((error: unknown) => this.options.logger.error({ err: error }, 'revocation events subscription failed'));
    this.timer = setInterval(() => this.reload(), this.options.resyncMs ?? 60_000);
    this.timer.unref();
  }

  close(): void {
    this.closed = true;
    clearInterval(this.timer);
  }

  isLoaded(): boolean {
    return this.loaded;
  }

  /** Throws `token_revoked` for a revoked token, `not_ready` while the list is not known yet. */
  assertNotRevoked(principal: Principal): void {
    if (!this.loaded) throw new AppError('not_ready', 'The gateway is still loading session revocations; try again shortly.');
    if (this.list.isRevoked(principal)) throw new AppError('token_revoked', 'The access token has been revoked; log in again or refresh.');
  }

  private apply(event: EventEnvelope): void {
    const verdict = acceptEvent(event);
    if (!verdict.accepted) {
      this.options.logger.error({ event: event.name, eventId: event.id, reason: verdict.reason }, 'dropping revocation event');
      return;
    }
    if (verdict.name === 'auth.session.revoked') this.list.revokeSession(verdict.payload as EventPayloadOf<'auth.session.revoked'>);
    else this.list.cutOffUser(verdict.payload as EventPayloadOf<'auth.user.tokens-revoked'>);
  }

  /** One load at a time; a failed one retries until it succeeds. */
  private reload(): void {
    this.reloading ??= this.load().finally(() => {
      this.reloading = undefined;
    });
  }

  private async load(): Promise<void> {
    while (!this.closed) {
      try {
        this.list.merge(await this.options.bus.call('auth.revocations.list', {}));
        this.list.prune();
        if (!this.loaded) this.options.logger.info({ entries: this.list.size }, 'session revocations loaded');
        this.loaded = true;
        return;
      } catch (error) {
        this.options.logger.warn({ err: error }, 'could not load session revocations; retrying');
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS).unref());
      }
    }
  }
}
