import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '@np/contracts';
import { acceptEvent, type EventEnvelope, eventResource } from '@np/messaging';
import type { Logger } from '@np/observability';
import { type Database, emSqlQuery, quoteIdentifier, sqlParameters } from '@np/persistence';
import { DATABASE, LOGGER, SETTINGS } from '@np/runtime';
import type { AuditEntry, AuditQuery } from '../contracts/index.js';
import type { BackofficeSettings } from '../settings.js';
import { maskSecrets } from './mask-secrets.js';

interface AuditCursor {
  at: string;
  id: string;
}

function encodeCursor(cursor: AuditCursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(value: string): AuditCursor {
  try {
    const parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as Partial<AuditCursor>;
    if (typeof parsed.at === 'string' && !Number.isNaN(Date.parse(parsed.at)) && typeof parsed.id === 'string' && /^[0-9a-f-]{36}$/.test(parsed.id)) return { at: parsed.at, id: parsed.id };
  } catch {
    // falls through
  }
  throw new AppError('validation_failed', 'The cursor is not one this API gave.', [{ path: 'query.cursor', message: 'invalid cursor' }]);
}

/**
 * Whether the audit may keep an event: the platform's registered events through `acceptEvent`;
 * any other (a module whose contracts this process does not load, such as the form builder's
 * `forms.*`) only when the broker vouches that a module published it under its own prefix.
 */
function mayKeep(event: EventEnvelope): boolean {
  const verdict = acceptEvent(event);
  if (verdict.accepted) return true;
  if (verdict.reason !== 'unknown event') return false;
  if (event.publisher === undefined) return true;
  const prefix = event.name.split('.')[0];
  return event.publisher === prefix || (event.publisher === 'form-builder' && prefix === 'forms');
}

/** The audit log: every domain event once, its payload masked, kept NP_AUDIT_RETENTION_DAYS. */
@Injectable()
export class AuditLog {
  private readonly table: string;

  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(SETTINGS) private readonly settings: Pick<BackofficeSettings, 'NP_BACKOFFICE_SCHEMA' | 'NP_AUDIT_RETENTION_DAYS'>,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.table = `${quoteIdentifier(settings.NP_BACKOFFICE_SCHEMA)}.audit_entries`;
  }

  /** Keeps one delivered event; a redelivery (same id) changes nothing. */
  async record(event: EventEnvelope): Promise<boolean> {
    return (await this.recordMany([event])) === 1;
  }

  /**
   * Keeps the events of one delivery window in one statement (a multi-row insert, atomic: all or
   * none), each once by id: a redelivery, or the same event twice in the window, changes nothing.
   * Answers how many were new. Events it may not keep are logged and left out.
   */
  async recordMany(events: readonly EventEnvelope[]): Promise<number> {
    const rows = new Map<string, unknown[]>();
    for (const event of events) {
      if (!mayKeep(event)) {
        this.logger.error({ event: event.name, eventId: event.id, publisher: event.publisher }, 'audit: dropping an event its publisher does not own, or malformed');
        continue;
      }
      rows.set(event.id, [event.id, event.occurredAt, event.actorId ?? null, event.name, eventResource(event) ?? null, event.requestId ?? null, JSON.stringify(maskSecrets(event.payload) ?? null)]);
    }
    if (rows.size === 0) return 0;
    const { params, param } = sqlParameters();
    const values = [...rows.values()].map((row) => `(${row.map((value) => param(value)).join(', ')})`);
    const inserted = await emSqlQuery(this.db.em.fork())(
      `insert into ${this.table} (id, at, actor, type, resource, request_id, changes) values ${values.join(', ')} on conflict (id) do nothing returning id`,
      params,
    );
    return inserted.length;
  }

  async list(query: AuditQuery): Promise<{ items: AuditEntry[]; nextCursor: string | null }> {
    const { params, param: add } = sqlParameters();
    const where: string[] = [];
    if (query.from !== undefined) where.push(`at >= ${add(query.from)}::timestamptz`);
    if (query.to !== undefined) where.push(`at < ${add(query.to)}::timestamptz`);
    if (query.actor !== undefined) where.push(`actor = ${add(query.actor)}`);
    if (query.type !== undefined) where.push(`type = ${add(query.type)}`);
    if (query.resource !== undefined) where.push(`resource = ${add(query.resource)}`);
    if (query.cursor !== undefined) {
      const cursor = decodeCursor(query.cursor);
      where.push(`(at, id) < (${add(cursor.at)}::timestamptz, ${add(cursor.id)}::uuid)`);
    }
    const rows = await emSqlQuery(this.db.em.fork())(
      `select id, to_json(at) #>> '{}' as at, actor, type, resource, request_id, changes from ${this.table} ${where.length > 0 ? `where ${where.join(' and ')}` : ''} order by at desc, id desc limit ${add(query.limit + 1)}`,
      params,
    );
    const items = rows.slice(0, query.limit).map(toEntry);
    const last = items.at(-1);
    return { items, nextCursor: rows.length > query.limit && last ? encodeCursor({ at: last.at, id: last.id }) : null };
  }

  /** Deletes entries past the retention, in batches, one replica at a time; answers how many went. */
  async prune(now: Date = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.settings.NP_AUDIT_RETENTION_DAYS * 86_400_000);
    let removed = 0;
    for (;;) {
      const batch = await this.db.em.fork().transactional(async (em) => {
        const query = emSqlQuery(em);
        const locked = await query('select pg_try_advisory_xact_lock(hashtext($1)) as locked', [`np:audit-prune:${this.settings.NP_BACKOFFICE_SCHEMA}`]);
        if (locked[0]?.locked !== true) return 0;
        const gone = await query(`delete from ${this.table} where id in (select id from ${this.table} where at < $1 limit 1000) returning id`, [cutoff.toISOString()]);
        return gone.length;
      });
      removed += batch;
      if (batch < 1000) return removed;
    }
  }
}

function toEntry(row: Record<string, unknown>): AuditEntry {
  return {
    id: String(row.id),
    at: new Date(String(row.at)).toISOString(),
    actor: typeof row.actor === 'string' ? row.actor : null,
    type: String(row.type),
    resource: typeof row.resource === 'string' ? row.resource : null,
    requestId: typeof row.request_id === 'string' ? row.request_id : null,
    changes: typeof row.changes === 'string' ? (JSON.parse(row.changes) as unknown) : row.changes,
  };
}
