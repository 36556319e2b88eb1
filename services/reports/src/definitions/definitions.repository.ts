import type { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import type { Database } from '@np/persistence';
import { DATABASE } from '@np/runtime';
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

export interface DefinitionsStore {
  insert(record: ReportRecord): Promise<void>;
  findById(id: string): Promise<ReportRecord | null>;
  list(): Promise<ReportRecord[]>;
  update(record: ReportRecord): Promise<boolean>;
  remove(id: string): Promise<boolean>;
}

/** The `report_definitions` table. */
@Injectable()
export class DefinitionsRepository implements DefinitionsStore {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  async insert(record: ReportRecord): Promise<void> {
    await this.em().insert(ReportDefinitionEntity, toRow(record));
  }

  async findById(id: string): Promise<ReportRecord | null> {
    const row = await this.em().findOne(ReportDefinitionEntity, { id });
    return row ? toRecord(row) : null;
  }

  async list(): Promise<ReportRecord[]> {
    const rows = await this.em().find(ReportDefinitionEntity, {}, { orderBy: { createdAt: 'asc', id: 'asc' }, limit: 1000 });
    return rows.map(toRecord);
  }

  async update(record: ReportRecord): Promise<boolean> {
    const { id, ...changes } = toRow(record);
    return (await this.em().nativeUpdate(ReportDefinitionEntity, { id }, changes)) > 0;
  }

  async remove(id: string): Promise<boolean> {
    return (await this.em().nativeDelete(ReportDefinitionEntity, { id })) > 0;
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
