import type { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { type EventEnvelope, insertOutboxEvent } from '@np/messaging';
import { type Database, emSqlQuery } from '@np/persistence';
import { DATABASE, SETTINGS } from '@np/runtime';
import type { ReportsSettings } from '../settings.js';
import type { ReportQuery } from '../contracts/index.js';
import { ReportDefinitionEntity, type ReportDefinitionEntityType } from '../entities/index.js';

export interface ReportRecord {
  id: string;
  name: string;
  query: ReportQuery;
  ownerId: string;
  createdAt: Date;
  updatedAt: Date;
}

/** Every write commits with its event (the outbox), or neither does. */
export interface DefinitionsStore {
  insert(record: ReportRecord, event: EventEnvelope): Promise<void>;
  findById(id: string): Promise<ReportRecord | null>;
  list(): Promise<ReportRecord[]>;
  update(record: ReportRecord, event: EventEnvelope): Promise<boolean>;
  remove(id: string, event: EventEnvelope): Promise<boolean>;
}

/** The `report_definitions` table. */
@Injectable()
export class DefinitionsRepository implements DefinitionsStore {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(SETTINGS) private readonly settings: Pick<ReportsSettings, 'NP_REPORTS_SCHEMA'>,
  ) {}

  async insert(record: ReportRecord, event: EventEnvelope): Promise<void> {
    await this.withEvent(event, async (em) => {
      await em.insert(ReportDefinitionEntity, toRow(record));
      return true;
    });
  }

  async findById(id: string): Promise<ReportRecord | null> {
    const row = await this.em().findOne(ReportDefinitionEntity, { id });
    return row ? toRecord(row) : null;
  }

  async list(): Promise<ReportRecord[]> {
    const rows = await this.em().find(ReportDefinitionEntity, {}, { orderBy: { createdAt: 'asc', id: 'asc' }, limit: 1000 });
    return rows.map(toRecord);
  }

  async update(record: ReportRecord, event: EventEnvelope): Promise<boolean> {
    const { id, ...changes } = toRow(record);
    return this.withEvent(event, async (em) => (await em.nativeUpdate(ReportDefinitionEntity, { id }, changes)) > 0);
  }

  async remove(id: string, event: EventEnvelope): Promise<boolean> {
    return this.withEvent(event, async (em) => (await em.nativeDelete(ReportDefinitionEntity, { id })) > 0);
  }

  /** Runs `write` and, when it changed something, appends `event` in the same transaction. */
  private withEvent(event: EventEnvelope, write: (em: EntityManager) => Promise<boolean>): Promise<boolean> {
    return this.db.em.fork().transactional(async (em) => {
      const changed = await write(em);
      if (changed) await insertOutboxEvent(emSqlQuery(em), this.settings.NP_REPORTS_SCHEMA, event);
      return changed;
    });
  }

  /** A fresh identity map per call: reads never see another handler's entity state. */
  private em(): EntityManager {
    return this.db.em.fork();
  }
}

function toRow(record: ReportRecord) {
  const { dataset, ...query } = record.query;
  return { id: record.id, name: record.name, dataset, query: query as unknown as Record<string, unknown>, ownerId: record.ownerId, createdAt: record.createdAt, updatedAt: record.updatedAt };
}

function toRecord(row: ReportDefinitionEntityType): ReportRecord {
  const query = row.query as unknown as Omit<ReportQuery, 'dataset'>;
  return { id: row.id, name: row.name, query: { ...query, dataset: row.dataset }, ownerId: row.ownerId, createdAt: row.createdAt, updatedAt: row.updatedAt };
}
