import { Inject, Injectable } from '@nestjs/common';
import { quoteIdentifier } from '@np/persistence';
import { SETTINGS } from '@np/runtime';
import type pg from 'pg';
import { QUERY_POOL } from '../query/query-pool.js';
import type { ReportsSettings } from '../settings.js';
import { builtinDatasets } from './builtin-datasets.js';
import type { DatasetSource } from './dataset-source.js';
import { type PublishedForm, SUBMISSIONS_PREFIX, submissionDataset } from './submission-datasets.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Every dataset a report can read: the fixed ones and one `submissions:<formId>` per published form. */
@Injectable()
export class DatasetCatalog {
  private readonly schema: string;

  constructor(
    @Inject(QUERY_POOL) private readonly pool: pg.Pool,
    @Inject(SETTINGS) settings: Pick<ReportsSettings, 'NP_REPORTS_SCHEMA'>,
  ) {
    this.schema = settings.NP_REPORTS_SCHEMA;
  }

  async list(): Promise<DatasetSource[]> {
    const forms = await this.publishedForms();
    const byForm = new Map<string, PublishedForm[]>();
    for (const form of forms) byForm.set(form.formId, [...(byForm.get(form.formId) ?? []), form]);
    return [...builtinDatasets(this.schema), ...[...byForm].map(([formId, versions]) => submissionDataset(this.schema, formId, versions))];
  }

  async find(name: string): Promise<DatasetSource | undefined> {
    const builtin = builtinDatasets(this.schema).find((source) => source.name === name);
    if (builtin || !name.startsWith(SUBMISSIONS_PREFIX)) return builtin;
    const formId = name.slice(SUBMISSIONS_PREFIX.length);
    if (!UUID.test(formId)) return undefined;
    const versions = await this.publishedForms(formId.toLowerCase());
    return versions.length > 0 ? submissionDataset(this.schema, formId.toLowerCase(), versions) : undefined;
  }

  private async publishedForms(formId?: string): Promise<PublishedForm[]> {
    const result = await this.pool.query<{ form_id: string; version: number; data_schema: unknown }>(
      `select form_id, version, data_schema from ${quoteIdentifier(this.schema)}.forms_view ${formId ? 'where form_id = $1' : ''} order by form_id, version`,
      formId ? [formId] : [],
    );
    return result.rows.map((row) => ({ formId: row.form_id, version: row.version, dataSchema: row.data_schema }));
  }
}
