import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from '@np/observability';
import { LOGGER, SETTINGS } from '@np/runtime';
import type { FormBuilderSettings } from '../settings.js';
import { AllowedHosts } from './address-policy.js';
import { isRetryable, isSuccess, sendWebhook } from './webhook-sender.js';
import { WebhooksRepository } from './webhooks.repository.js';

type DispatcherSettings = Pick<FormBuilderSettings, 'NP_WEBHOOK_ALLOWED_HOSTS' | 'NP_WEBHOOK_RETRY_BASE_MS' | 'NP_WEBHOOK_TIMEOUT_MS'>;

const POLL_INTERVAL_MS = 500;
const BATCH = 20;

/** The delay before attempt `attempt + 1`: the base, doubled after each attempt. */
export function retryDelayMs(baseMs: number, attemptsSoFar: number): number {
  return baseMs * 2 ** Math.max(0, attemptsSoFar - 1);
}

/**
 * Sends due deliveries: polls the delivery table (and wakes at once when a delivery is queued),
 * takes a batch under a lease, makes one attempt each, and records it: delivered, due again
 * after an exponential backoff, or failed for good.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly allowed: AllowedHosts;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private kicked = false;
  private stopped = true;

  constructor(
    @Inject(WebhooksRepository) private readonly webhooks: WebhooksRepository,
    @Inject(SETTINGS) private readonly settings: DispatcherSettings,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.allowed = new AllowedHosts(settings.NP_WEBHOOK_ALLOWED_HOSTS);
  }

  onApplicationBootstrap(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.kicked = true;
      return;
    }
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.running = this.sweep().finally(() => {
        this.running = undefined;
        if (this.stopped) return;
        const again = this.kicked;
        this.kicked = false;
        this.schedule(again ? 0 : POLL_INTERVAL_MS);
      });
    }, delayMs);
    this.timer.unref();
  }

  private async sweep(): Promise<void> {
    try {
      for (;;) {
        const due = await this.webhooks.claimDue(BATCH, this.settings.NP_WEBHOOK_TIMEOUT_MS * 2);
        if (due.length === 0 || this.stopped) return;
        await Promise.all(due.map((delivery) => this.attempt(delivery)));
        if (due.length < BATCH) return;
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'webhook deliveries could not be processed; trying again');
    }
  }

  private async attempt(delivery: Awaited<ReturnType<WebhooksRepository['claimDue']>>[number]): Promise<void> {
    const outcome = await sendWebhook(delivery.url, delivery.secret, { id: delivery.id, timestamp: new Date(), body: delivery.payload }, { timeoutMs: this.settings.NP_WEBHOOK_TIMEOUT_MS, allowed: this.allowed });
    const attempts = delivery.attempts + 1;
    const responseCode = 'status' in outcome ? outcome.status : null;
    const error = 'error' in outcome ? outcome.error : null;
    if (isSuccess(outcome)) {
      await this.webhooks.recordAttempt(delivery.id, { status: 'succeeded', responseCode, error: null, nextAttemptAt: null });
    } else if (isRetryable(outcome) && attempts < delivery.maxAttempts) {
      const nextAttemptAt = new Date(Date.now() + retryDelayMs(this.settings.NP_WEBHOOK_RETRY_BASE_MS, attempts));
      await this.webhooks.recordAttempt(delivery.id, { status: 'pending', responseCode, error, nextAttemptAt });
    } else {
      await this.webhooks.recordAttempt(delivery.id, { status: 'failed', responseCode, error, nextAttemptAt: null });
    }
    this.logger.debug({ delivery: delivery.id, attempts, responseCode, error }, 'webhook attempt');
  }
}
