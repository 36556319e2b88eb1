import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AppError, type Principal } from '@np/contracts';
import { domainEvent, type OutboxSignal } from '@np/messaging';
import { OUTBOX, SETTINGS } from '@np/runtime';
import type { CreateReportRequest, Dataset, Report, ReportQuery, RunResult, UpdateReportRequest } from '../contracts/index.js';
import { DatasetCatalog } from '../datasets/dataset-catalog.js';
import type { DatasetSource } from '../datasets/dataset-source.js';
import { ReportRunner } from '../query/report-runner.js';
import { assertValidQuery } from '../query/validate-query.js';
import type { ReportsSettings } from '../settings.js';
import { DefinitionsRepository, type DefinitionsStore, type ReportRecord } from './definitions.repository.js';

/** Datasets, report definitions (validated against their dataset) and runs. Who may call what is the gateway's route policy. */
@Injectable()
export class ReportsService {
  constructor(
    @Inject(DefinitionsRepository) private readonly definitions: DefinitionsStore,
    @Inject(DatasetCatalog) private readonly catalog: Pick<DatasetCatalog, 'list' | 'find'>,
    @Inject(ReportRunner) private readonly runner: Pick<ReportRunner, 'run'>,
    @Inject(SETTINGS) private readonly settings: Pick<ReportsSettings, 'NP_REPORTS_RUN_MAX_ROWS'>,
    @Inject(OUTBOX) private readonly outbox: OutboxSignal,
  ) {}

  async datasets(): Promise<Dataset[]> {
    const sources = await this.catalog.list();
    return sources.map((source) => ({ name: source.name, fields: source.fields.map(({ name, type }) => ({ name, type })) }));
  }

  async create(body: CreateReportRequest, principal: Principal | undefined): Promise<Report> {
    if (!principal) throw new AppError('token_missing', 'Defining a report needs a signed-in caller.');
    const query: ReportQuery = { dataset: body.dataset, filters: body.filters, groupBy: body.groupBy, aggregates: body.aggregates, timeBucket: body.timeBucket ?? null };
    await this.validated(query);
    const now = new Date();
    const record: ReportRecord = { id: randomUUID(), name: body.name, query, ownerId: principal.sub, createdAt: now, updatedAt: now };
    const report = toReport(record);
    await this.definitions.insert(record, domainEvent('reports.report.created', { report }));
    this.outbox.kick();
    return report;
  }

  async list(): Promise<{ items: Report[] }> {
    return { items: (await this.definitions.list()).map(toReport) };
  }

  async get(id: string): Promise<Report> {
    return toReport(await this.record(id));
  }

  async update(id: string, changes: UpdateReportRequest): Promise<Report> {
    const current = await this.record(id);
    const { name, ...queryChanges } = changes;
    const query: ReportQuery = { ...current.query, ...queryChanges };
    await this.validated(query);
    const next: ReportRecord = { ...current, name: name ?? current.name, query, updatedAt: new Date() };
    const report = toReport(next);
    if (!(await this.definitions.update(next, domainEvent('reports.report.updated', { report })))) throw new AppError('not_found', `No report ${id}.`);
    this.outbox.kick();
    return report;
  }

  async remove(id: string): Promise<{ ok: true }> {
    if (!(await this.definitions.remove(id, domainEvent('reports.report.deleted', { id })))) throw new AppError('not_found', `No report ${id}.`);
    this.outbox.kick();
    return { ok: true };
  }

  async run(id: string): Promise<RunResult> {
    const record = await this.record(id);
    const source = await this.validated(record.query);
    return this.runner.run(source, record.query, this.settings.NP_REPORTS_RUN_MAX_ROWS);
  }

  /** The report's dataset, after checking the query fits it (a form's fields may change between versions). */
  async validated(query: ReportQuery): Promise<DatasetSource> {
    const source = await this.catalog.find(query.dataset);
    if (!source) throw new AppError('validation_failed', 'The report does not fit its dataset.', [{ path: ['dataset'], message: `There is no dataset "${query.dataset}" (GET /v1/reports/datasets).` }]);
    assertValidQuery(source, query);
    return source;
  }

  async record(id: string): Promise<ReportRecord> {
    const record = await this.definitions.findById(id);
    if (!record) throw new AppError('not_found', `No report ${id}.`);
    return record;
  }
}

function toReport(record: ReportRecord): Report {
  const { dataset, filters, groupBy, aggregates, timeBucket } = record.query;
  return { id: record.id, name: record.name, dataset, filters, groupBy, aggregates, timeBucket, ownerId: record.ownerId, createdAt: record.createdAt.toISOString(), updatedAt: record.updatedAt.toISOString() };
}
