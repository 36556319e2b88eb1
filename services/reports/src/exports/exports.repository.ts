import { Inject, Injectable } from '@nestjs/common';
import { type EventEnvelope, insertOutboxEvent } from '@np/messaging';
import { quoteIdentifier } from '@np/persistence';
import { SETTINGS } from '@np/runtime';
import type pg from 'pg';
import type { Export, ExportFormat, ExportStatus } from '../contracts/index.js';
import { inTransaction, QUERY_POOL } from '../query/query-pool.js';
import type { ReportsSettings } from '../settings.js';

export interface ExportRecord {
  id: string;
  reportId: string;
  scheduleId: string | null;
  ownerId: string;
  format: ExportFormat;
  status: ExportStatus;
  rows: number | null;
  fileId: string | null;
  error: string | null;
  warning: string | null;
  attempts: number;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

const COLUMNS = 'id, report_id, schedule_id, owner_id, format, status, rows, file_id, error, warning, attempts, created_at, started_at, finished_at';

/** The `exports` table: one row per export, its state kept up to date by the job that makes it. */
@Injectable()
export class ExportsRepository {
  private readonly table: string;
  private readonly schema: string;

  constructor(
    @Inject(QUERY_POOL) private readonly pool: pg.Pool,
    @Inject(SETTINGS) settings: Pick<ReportsSettings, 'NP_REPORTS_SCHEMA'>,
  ) {
    this.schema = settings.NP_REPORTS_SCHEMA;
    this.table = `${quoteIdentifier(this.schema)}.exports`;
  }

  /** Runs `write` with `event` in one transaction (the outbox). */
  private withEvent<T>(event: EventEnvelope | undefined, write: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, async (client) => {
      const result = await write(client);
      if (event) await insertOutboxEvent((sql, params) => client.query(sql, params).then((answer) => answer.rows as Record<string, unknown>[]), this.schema, event);
      return result;
    });
  }

  /** A new export (or, for a retried schedule tick, the one it already made) with its `reports.export.requested` event the first time. */
  async insert(record: Pick<ExportRecord, 'id' | 'reportId' | 'scheduleId' | 'ownerId' | 'format'>, event: (inserted: ExportRecord) => EventEnvelope): Promise<ExportRecord> {
    return inTransaction(this.pool, async (client) => {
      const existing = await client.query(`select ${COLUMNS} from ${this.table} where id = $1`, [record.id]);
      if (existing.rows[0]) return toRecord(existing.rows[0] as Record<string, unknown>);
      const inserted = await this.insertRow(client, record);
      await insertOutboxEvent((sql, params) => client.query(sql, params).then((answer) => answer.rows as Record<string, unknown>[]), this.schema, event(inserted));
      return inserted;
    });
  }

  private async insertRow(client: pg.PoolClient, record: Pick<ExportRecord, 'id' | 'reportId' | 'scheduleId' | 'ownerId' | 'format'>): Promise<ExportRecord> {
    const result = await client.query(`insert into ${this.table} (id, report_id, schedule_id, owner_id, format, status, created_at) values ($1, $2, $3, $4, $5, 'queued', now()) returning ${COLUMNS}`, [
      record.id,
      record.reportId,
      record.scheduleId,
      record.ownerId,
      record.format,
    ]);
    return toRecord(result.rows[0] as Record<string, unknown>);
  }

  async findById(id: string): Promise<ExportRecord | null> {
    const result = await this.pool.query(`select ${COLUMNS} from ${this.table} where id = $1`, [id]);
    return result.rows[0] ? toRecord(result.rows[0] as Record<string, unknown>) : null;
  }

  async listForReport(reportId: string, limit: number): Promise<ExportRecord[]> {
    const result = await this.pool.query(`select ${COLUMNS} from ${this.table} where report_id = $1 order by created_at desc, id desc limit $2`, [reportId, limit]);
    return result.rows.map((row) => toRecord(row as Record<string, unknown>));
  }

  async markRunning(id: string): Promise<void> {
    await this.pool.query(`update ${this.table} set status = 'running', started_at = now(), finished_at = null, attempts = attempts + 1 where id = $1`, [id]);
  }

  async markSucceeded(id: string, outcome: { rows: number; fileId: string; warning: string | null }, event: EventEnvelope): Promise<void> {
    await this.withEvent(event, (client) => client.query(`update ${this.table} set status = 'succeeded', rows = $2, file_id = $3, warning = $4, error = null, finished_at = now() where id = $1`, [id, outcome.rows, outcome.fileId, outcome.warning]));
  }

  /** A failed attempt: `queued` again while retries remain (the error kept), else `failed`. */
  async markFailed(id: string, error: string, final: boolean, event: EventEnvelope | undefined): Promise<void> {
    await this.withEvent(final ? event : undefined, (client) => client.query(`update ${this.table} set status = $2, error = $3, finished_at = now() where id = $1`, [id, final ? 'failed' : 'queued', error]));
  }
}

function date(value: unknown): Date | null {
  return value instanceof Date ? value : null;
}

function toRecord(row: Record<string, unknown>): ExportRecord {
  return {
    id: String(row.id),
    reportId: String(row.report_id),
    scheduleId: typeof row.schedule_id === 'string' ? row.schedule_id : null,
    ownerId: String(row.owner_id),
    format: row.format as ExportFormat,
    status: row.status as ExportStatus,
    rows: row.rows === null ? null : Number(row.rows),
    fileId: typeof row.file_id === 'string' ? row.file_id : null,
    error: typeof row.error === 'string' ? row.error : null,
    warning: typeof row.warning === 'string' ? row.warning : null,
    attempts: Number(row.attempts),
    createdAt: row.created_at as Date,
    startedAt: date(row.started_at),
    finishedAt: date(row.finished_at),
  };
}

export function toExport(record: ExportRecord): Export {
  const { createdAt, startedAt, finishedAt } = record;
  return {
    id: record.id,
    reportId: record.reportId,
    scheduleId: record.scheduleId,
    format: record.format,
    status: record.status,
    rows: record.rows,
    fileId: record.fileId,
    error: record.error,
    warning: record.warning,
    attempts: record.attempts,
    createdAt: createdAt.toISOString(),
    startedAt: startedAt?.toISOString() ?? null,
    finishedAt: finishedAt?.toISOString() ?? null,
    durationMs: startedAt && finishedAt ? finishedAt.getTime() - startedAt.getTime() : null,
  };
}
