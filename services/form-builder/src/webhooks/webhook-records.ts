import type { Delivery, WebhookEvent } from '../contracts/index.js';

export interface WebhookRecord {
  id: string;
  formId: string;
  url: string;
  events: WebhookEvent[];
  secret: string;
  createdAt: Date;
}

export type DeliveryStatus = Delivery['status'];

export interface DeliveryRecord {
  id: string;
  webhookId: string;
  eventId: string;
  event: WebhookEvent;
  /** The exact body sent, every attempt the same (its signature is made per attempt). */
  payload: string;
  status: DeliveryStatus;
  attempts: number;
  maxAttempts: number;
  lastResponseCode: number | null;
  lastError: string | null;
  nextAttemptAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export function toDelivery(record: DeliveryRecord): Delivery {
  return {
    id: record.id,
    webhookId: record.webhookId,
    event: record.event,
    status: record.status,
    attempts: record.attempts,
    lastResponseCode: record.lastResponseCode,
    lastError: record.lastError,
    nextAttemptAt: record.nextAttemptAt?.toISOString() ?? null,
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
  };
}
