import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AppError, decodePageCursor, encodePageCursor } from '@np/contracts';
import { SETTINGS } from '@np/runtime';
import type { Delivery, WebhookEvent } from '../contracts/index.js';
import { validationFailed } from '../definitions/problems.js';
import { FormsRepository } from '../forms/forms.repository.js';
import type { FormBuilderSettings } from '../settings.js';
import { FormBuilderDb } from '../store/form-builder-db.js';
import { AllowedHosts } from './address-policy.js';
import { WebhookDispatcher } from './webhook-dispatcher.js';
import { toDelivery, type WebhookRecord } from './webhook-records.js';
import { targetRefusal } from './webhook-target.js';
import { WebhooksRepository } from './webhooks.repository.js';

type WebhookSettings = Pick<FormBuilderSettings, 'NP_WEBHOOK_ALLOWED_HOSTS' | 'NP_WEBHOOK_MAX_ATTEMPTS'>;

/**
 * Webhooks of a form: subscriptions (the target checked against the allow-list and its
 * addresses), the deliveries their submission events become, and the log of those deliveries.
 */
@Injectable()
export class WebhooksService {
  private readonly allowed: AllowedHosts;

  constructor(
    @Inject(WebhooksRepository) private readonly webhooks: WebhooksRepository,
    @Inject(FormsRepository) private readonly forms: FormsRepository,
    @Inject(FormBuilderDb) private readonly db: FormBuilderDb,
    @Inject(WebhookDispatcher) private readonly dispatcher: WebhookDispatcher,
    @Inject(SETTINGS) private readonly settings: WebhookSettings,
  ) {
    this.allowed = new AllowedHosts(settings.NP_WEBHOOK_ALLOWED_HOSTS);
  }

  async create(request: { formId: string; url: string; events: WebhookEvent[] }): Promise<{ id: string; formId: string; url: string; events: WebhookEvent[]; secret: string; createdAt: string }> {
    if (!(await this.forms.findById(request.formId))) throw new AppError('not_found', `No form ${request.formId}.`);
    const refusal = await targetRefusal(new URL(request.url), this.allowed);
    if (refusal) throw validationFailed('The webhook target is refused.', [{ pointer: '/url', message: refusal }]);
    const record: WebhookRecord = {
      id: randomUUID(),
      formId: request.formId,
      url: request.url,
      events: request.events,
      secret: `whsec_${randomBytes(32).toString('base64')}`,
      createdAt: new Date(),
    };
    await this.webhooks.insert(record);
    return { ...record, createdAt: record.createdAt.toISOString() };
  }

  async list(formId: string): Promise<{ items: { id: string; url: string; events: WebhookEvent[]; createdAt: string }[] }> {
    if (!(await this.forms.findSummary(formId))) throw new AppError('not_found', `No form ${formId}.`);
    const records = await this.webhooks.listOf(formId);
    return { items: records.map((record) => ({ id: record.id, url: record.url, events: record.events, createdAt: record.createdAt.toISOString() })) };
  }

  /**
   * Removes a webhook with its delivery log, in one transaction: a delivery the dispatcher holds
   * at that moment may still be sent once, but its outcome is recorded nowhere and nothing is
   * retried or sent to it afterwards.
   */
  async remove(request: { formId: string; webhookId: string }): Promise<void> {
    const removed = await this.db.transaction((query) => this.webhooks.remove(request.formId, request.webhookId, query));
    if (!removed) throw new AppError('not_found', `No webhook ${request.webhookId} on form ${request.formId}.`);
  }

  async deliveries(request: { formId: string; webhookId: string; limit: number; cursor?: string | undefined }): Promise<{ items: Delivery[]; nextCursor: string | null }> {
    await this.webhook(request.formId, request.webhookId);
    const records = await this.webhooks.deliveries(request.webhookId, request.limit + 1, request.cursor === undefined ? undefined : decodePageCursor(request.cursor));
    const page = records.slice(0, request.limit);
    const last = page.at(-1);
    return { items: page.map(toDelivery), nextCursor: records.length > request.limit && last ? encodePageCursor(last) : null };
  }

  async redeliver(request: { formId: string; webhookId: string; deliveryId: string }): Promise<Delivery> {
    await this.webhook(request.formId, request.webhookId);
    if (!(await this.webhooks.findDelivery(request.webhookId, request.deliveryId))) throw new AppError('not_found', `No delivery ${request.deliveryId}.`);
    const record = await this.webhooks.redeliver(request.deliveryId, this.settings.NP_WEBHOOK_MAX_ATTEMPTS);
    if (!record) throw new AppError('not_found', `No delivery ${request.deliveryId}.`);
    this.dispatcher.kick();
    return toDelivery(record);
  }

  private async webhook(formId: string, webhookId: string): Promise<WebhookRecord> {
    const record = await this.webhooks.find(formId, webhookId);
    if (!record) throw new AppError('not_found', `No webhook ${webhookId} on form ${formId}.`);
    return record;
  }
}
