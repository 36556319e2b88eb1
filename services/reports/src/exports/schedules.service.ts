import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AppError, type Principal } from '@np/contracts';
import { domainEvent, insertOutboxEvent, type OutboxSignal } from '@np/messaging';
import { quoteIdentifier } from '@np/persistence';
import { OUTBOX, SETTINGS } from '@np/runtime';
import type pg from 'pg';
import type { ExportFormat, Schedule } from '../contracts/index.js';
import { ReportsService } from '../definitions/reports.service.js';
import { inTransaction, QUERY_POOL } from '../query/query-pool.js';
import { isValidTimeZone } from '../query/time-zone.js';
import type { ReportsSettings } from '../settings.js';
import { JOB_QUEUE, type JobQueue } from './job-queue.js';

export interface ScheduleRecord {
  id: string;
  reportId: string;
  ownerId: string;
  cron: string;
  timezone: string;
  format: ExportFormat;
  createdAt: Date;
}

/** Report schedules: a row here and a pg-boss schedule (keyed by the schedule's id) that sends one job per tick. */
@Injectable()
export class SchedulesService {
  private readonly table: string;
  private readonly schema: string;

  constructor(
    @Inject(QUERY_POOL) private readonly pool: pg.Pool,
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    @Inject(ReportsService) private readonly reports: ReportsService,
    @Inject(OUTBOX) private readonly outbox: OutboxSignal,
    @Inject(SETTINGS) settings: Pick<ReportsSettings, 'NP_REPORTS_SCHEMA'>,
  ) {
    this.schema = settings.NP_REPORTS_SCHEMA;
    this.table = `${quoteIdentifier(this.schema)}.report_schedules`;
  }

  async create(reportId: string, request: { cron: string; timezone: string; format: ExportFormat }, principal: Principal | undefined): Promise<Schedule> {
    if (!principal) throw new AppError('token_missing', 'Scheduling a report needs a signed-in caller.');
    await this.reports.record(reportId);
    if (!isValidTimeZone(request.timezone)) throw new AppError('validation_failed', 'Invalid schedule.', [{ path: ['timezone'], message: `"${request.timezone}" is not an IANA time zone.` }]);
    const record: ScheduleRecord = { id: randomUUID(), reportId, ownerId: principal.sub, cron: request.cron, timezone: request.timezone, format: request.format, createdAt: new Date() };
    // pg-boss parses the expression: a bad one is the caller's error, and nothing is stored.
    await this.queue.schedule(record.id, record.cron, record.timezone).catch((error: unknown) => {
      throw new AppError('validation_failed', 'Invalid schedule.', [{ path: ['cron'], message: error instanceof Error ? error.message : 'not a cron expression' }]);
    });
    const schedule = toSchedule(record);
    await inTransaction(this.pool, async (client) => {
      await client.query(`insert into ${this.table} (id, report_id, owner_id, cron, timezone, format, created_at) values ($1, $2, $3, $4, $5, $6, $7)`, [
        record.id,
        record.reportId,
        record.ownerId,
        record.cron,
        record.timezone,
        record.format,
        record.createdAt,
      ]);
      await insertOutboxEvent((sql, params) => client.query(sql, params).then((answer) => answer.rows as Record<string, unknown>[]), this.schema, domainEvent('reports.schedule.created', { schedule }));
    });
    this.outbox.kick();
    return schedule;
  }

  async list(reportId: string): Promise<{ items: Schedule[] }> {
    await this.reports.record(reportId);
    const result = await this.pool.query(`select id, report_id, owner_id, cron, timezone, format, created_at from ${this.table} where report_id = $1 order by created_at, id`, [reportId]);
    return { items: result.rows.map((row) => toSchedule(toRecord(row as Record<string, unknown>))) };
  }

  async remove(reportId: string, scheduleId: string): Promise<{ ok: true }> {
    await inTransaction(this.pool, async (client) => {
      const removed = await client.query(`delete from ${this.table} where id = $1 and report_id = $2`, [scheduleId, reportId]);
      if (removed.rowCount === 0) throw new AppError('not_found', `No schedule ${scheduleId} on report ${reportId}.`);
      await insertOutboxEvent((sql, params) => client.query(sql, params).then((answer) => answer.rows as Record<string, unknown>[]), this.schema, domainEvent('reports.schedule.deleted', { id: scheduleId, reportId }));
    });
    this.outbox.kick();
    await this.queue.unschedule(scheduleId);
    return { ok: true };
  }

  async find(scheduleId: string): Promise<ScheduleRecord | null> {
    const result = await this.pool.query(`select id, report_id, owner_id, cron, timezone, format, created_at from ${this.table} where id = $1`, [scheduleId]);
    return result.rows[0] ? toRecord(result.rows[0] as Record<string, unknown>) : null;
  }
}

function toRecord(row: Record<string, unknown>): ScheduleRecord {
  return {
    id: String(row.id),
    reportId: String(row.report_id),
    ownerId: String(row.owner_id),
    cron: String(row.cron),
    timezone: String(row.timezone),
    format: row.format as ExportFormat,
    createdAt: row.created_at as Date,
  };
}

function toSchedule(record: ScheduleRecord): Schedule {
  return { id: record.id, reportId: record.reportId, cron: record.cron, timezone: record.timezone, format: record.format, ownerId: record.ownerId, createdAt: record.createdAt.toISOString() };
}
