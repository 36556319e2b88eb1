import { type EventEnvelope, outboxInsert } from '@np/messaging';
import { quoteIdentifier } from '@np/persistence';
import type { WebhookEvent } from '../contracts/index.js';

/** A statement's common table expressions and their parameters. */
export interface StatementPart {
  sql: string;
  params: unknown[];
}

/**
 * A submission event and its webhook deliveries, as two common table expressions of the statement
 * that changes the submission (`event`, the outbox row; `deliveries`, one row per webhook of the
 * form subscribed to `type`, each returning its id): the change, its event and its deliveries
 * commit together or not at all, and no handler of the module's own event has to write them
 * later. A delivery's body is built by PostgreSQL from the event's payload, so the submission is
 * serialised once for both. The webhooks are read for key share: a removal at the same moment
 * waits for this statement (and then removes these deliveries too) or has removed the webhook
 * before it, which then gets none.
 */
export function eventWithDeliveries(schema: string, event: EventEnvelope, delivery: { formId: string; type: WebhookEvent; maxAttempts: number }, firstParam: number): StatementPart {
  const s = quoteIdentifier(schema);
  const outbox = outboxInsert(schema, event, firstParam);
  const n = (offset: number) => `$${firstParam + outbox.params.length + offset}`;
  const sql = `event as (${outbox.sql} returning id, payload, occurred_at),
     deliveries as (
       insert into ${s}.webhook_deliveries (id, webhook_id, event_id, event, payload, status, attempts, max_attempts, next_attempt_at, created_at, updated_at)
       select gen_random_uuid(), w.id, event.id, ${n(0)}::text, jsonb_build_object('type', ${n(0)}::text, 'timestamp', ${n(1)}::text, 'data', event.payload), 'pending', 0, ${n(2)}::int, event.occurred_at, event.occurred_at, event.occurred_at
         from ${s}.webhooks w cross join event
        where w.form_id = ${n(3)}::uuid and ${n(0)}::text = any(w.events)
        for key share of w
       returning id
     )`;
  return { sql, params: [...outbox.params, delivery.type, event.occurredAt, delivery.maxAttempts, delivery.formId] };
}
