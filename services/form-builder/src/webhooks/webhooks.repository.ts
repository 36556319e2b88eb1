import { Inject, Injectable } from '@nestjs/common';
import type { PageCursor } from '@np/contracts';
import type { SqlQuery } from '@np/persistence';
import type { WebhookEvent } from '../contracts/index.js';
import { dateOf, FormBuilderDb } from '../store/form-builder-db.js';
import type { DeliveryRecord, DeliveryStatus, WebhookRecord } from './webhook-records.js';

const WEBHOOK_COLUMNS = 'id, form_id, url, events, secret, created_at';
const DELIVERY_COLUMNS = 'id, webhook_id, event_id, event, payload, status, attempts, max_attempts, last_response_code, last_error, next_attempt_at, created_at, updated_at';

/** The `webhooks` and `webhook_deliveries` tables: subscriptions, and the delivery log that is also the dispatcher's queue. */
@Injectable()
export class WebhooksRepository {
  constructor(@Inject(FormBuilderDb) private readonly db: FormBuilderDb) {}

  async insert(record: WebhookRecord): Promise<void> {
    await this.db.query()(`insert into ${this.db.table('webhooks')} (${WEBHOOK_COLUMNS}) values ($1, $2, $3, $4::text[], $5, $6)`, [
      record.id,
      record.formId,
      record.url,
      record.events,
      record.secret,
      record.createdAt,
    ]);
  }

  async find(formId: string, id: string): Promise<WebhookRecord | null> {
    const rows = await this.db.query()(`select ${WEBHOOK_COLUMNS} from ${this.db.table('webhooks')} where form_id = $1 and id = $2`, [formId, id]);
    return rows[0] ? webhookOf(rows[0]) : null;
  }

  async listOf(formId: string): Promise<WebhookRecord[]> {
    const rows = await this.db.query()(`select ${WEBHOOK_COLUMNS} from ${this.db.table('webhooks')} where form_id = $1 order by created_at, id`, [formId]);
    return rows.map(webhookOf);
  }

  /** The webhook and its deliveries (the log and the dispatcher's queue): the removed webhook, or null if the form has none of that id. */
  async remove(formId: string, id: string, query: SqlQuery): Promise<WebhookRecord | null> {
    const webhooks = this.db.table('webhooks');
    const found = await query(`select ${WEBHOOK_COLUMNS} from ${webhooks} where form_id = $1 and id = $2 for update`, [formId, id]);
    if (!found[0]) return null;
    await query(`delete from ${this.db.table('webhook_deliveries')} where webhook_id = $1`, [id]);
    await query(`delete from ${webhooks} where id = $1`, [id]);
    return webhookOf(found[0]);
  }

  async deliveries(webhookId: string, limit: number, cursor: PageCursor | undefined): Promise<DeliveryRecord[]> {
    const params: unknown[] = [webhookId];
    let where = 'webhook_id = $1';
    if (cursor) {
      params.push(cursor.createdAt, cursor.id);
      where += ' and (created_at, id) < ($2, $3)';
    }
    params.push(limit);
    const rows = await this.db.query()(`select ${DELIVERY_COLUMNS} from ${this.db.table('webhook_deliveries')} where ${where} order by created_at desc, id desc limit $${params.length}`, params);
    return rows.map(deliveryOf);
  }

  async findDelivery(webhookId: string, id: string): Promise<DeliveryRecord | null> {
    const rows = await this.db.query()(`select ${DELIVERY_COLUMNS} from ${this.db.table('webhook_deliveries')} where webhook_id = $1 and id = $2`, [webhookId, id]);
    return rows[0] ? deliveryOf(rows[0]) : null;
  }

  /**
   * Takes up to `limit` due deliveries for `leaseMs`: another replica's dispatcher skips them
   * meanwhile, and one that died mid-attempt leaves them to be taken again when the lease ends.
   */
  async claimDue(limit: number, leaseMs: number): Promise<(DeliveryRecord & { url: string; secret: string })[]> {
    const deliveries = this.db.table('webhook_deliveries');
    const rows = await this.db.transaction((query) =>
      query(
        `with due as (
           select id from ${deliveries}
            where status = 'pending' and next_attempt_at <= now() and (lease_until is null or lease_until < now())
            order by next_attempt_at limit $1 for update skip locked
         )
         update ${deliveries} d set lease_until = now() + ($2::int * interval '1 millisecond')
           from due, ${this.db.table('webhooks')} w
          where d.id = due.id and w.id = d.webhook_id
         returning ${DELIVERY_COLUMNS.split(', ').map((column) => `d.${column}`).join(', ')}, w.url, w.secret`,
        [limit, leaseMs],
      ),
    );
    return rows.map((row) => ({ ...deliveryOf(row), url: String(row.url), secret: String(row.secret) }));
  }

  /** The outcome of one attempt: counted, and either final or due again at `nextAttemptAt`. */
  async recordAttempt(id: string, outcome: { status: DeliveryStatus; responseCode: number | null; error: string | null; nextAttemptAt: Date | null }): Promise<void> {
    await this.db.query()(
      `update ${this.db.table('webhook_deliveries')} set attempts = attempts + 1, status = $2, last_response_code = $3, last_error = $4, next_attempt_at = $5, lease_until = null, updated_at = now() where id = $1`,
      [id, outcome.status, outcome.responseCode, outcome.error, outcome.nextAttemptAt],
    );
  }

  /** Due now again, with `extraAttempts` more allowed. */
  async redeliver(id: string, extraAttempts: number): Promise<DeliveryRecord | null> {
    const rows = await this.db.query()(
      `update ${this.db.table('webhook_deliveries')} set status = 'pending', max_attempts = attempts + $2, next_attempt_at = now(), lease_until = null, updated_at = now() where id = $1 returning ${DELIVERY_COLUMNS}`,
      [id, extraAttempts],
    );
    return rows[0] ? deliveryOf(rows[0]) : null;
  }
}

function webhookOf(row: Record<string, unknown>): WebhookRecord {
  return {
    id: String(row.id),
    formId: String(row.form_id),
    url: String(row.url),
    events: parseTextArray(row.events) as WebhookEvent[],
    secret: String(row.secret),
    createdAt: dateOf(row.created_at),
  };
}

/** text[] as the driver answers it: an array, or PostgreSQL's `{a,b}` literal. */
function parseTextArray(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  const text = String(value);
  return text.length <= 2 ? [] : text.slice(1, -1).split(',').map((item) => item.replace(/^"|"$/g, ''));
}

function deliveryOf(row: Record<string, unknown>): DeliveryRecord {
  return {
    id: String(row.id),
    webhookId: String(row.webhook_id),
    eventId: String(row.event_id),
    event: String(row.event) as WebhookEvent,
    payload: typeof row.payload === 'string' ? row.payload : JSON.stringify(row.payload),
    status: String(row.status) as DeliveryStatus,
    attempts: Number(row.attempts),
    maxAttempts: Number(row.max_attempts),
    lastResponseCode: row.last_response_code === null ? null : Number(row.last_response_code),
    lastError: typeof row.last_error === 'string' ? row.last_error : null,
    nextAttemptAt: row.next_attempt_at === null ? null : dateOf(row.next_attempt_at),
    createdAt: dateOf(row.created_at),
    updatedAt: dateOf(row.updated_at),
  };
}
