import { Inject, Injectable } from '@nestjs/common';
import type { PageCursor } from '@np/contracts';
import { type SqlQuery, sqlParameters } from '@np/persistence';
import type { FormSettings, FormStatus, JsonObject } from '../contracts/index.js';
import { dateOf, FormBuilderDb, jsonOf } from '../store/form-builder-db.js';
import { type RecordColumn, RecordColumns } from '../store/record-columns.js';
import type { FormRecord, FormSummary, VersionRecord } from './form-record.js';

const KEY: RecordColumn<FormRecord> = { name: 'id', value: (record) => record.id, fixed: true };
/** Everything of a form changes but its id, author and time of creation. */
const FORM = new RecordColumns<FormRecord>(
  [
    KEY,
    { name: 'name', value: (record) => record.name },
    { name: 'description', value: (record) => record.description },
    { name: 'status', value: (record) => record.status },
    { name: 'latest_version', value: (record) => record.latestVersion },
    { name: 'data_schema', cast: 'jsonb', value: (record) => JSON.stringify(record.dataSchema) },
    { name: 'ui_schema', cast: 'jsonb', value: (record) => (record.uiSchema === null ? null : JSON.stringify(record.uiSchema)) },
    { name: 'settings', cast: 'jsonb', value: (record) => JSON.stringify(record.settings) },
    { name: 'created_by', value: (record) => record.createdBy, fixed: true },
    { name: 'created_at', value: (record) => record.createdAt, fixed: true },
    { name: 'updated_at', value: (record) => record.updatedAt },
  ],
  KEY,
);
const FORM_COLUMNS = FORM.names;
const VERSION_COLUMNS = 'form_id, version, name, data_schema, ui_schema, settings, published_by, published_at';

export interface FormListQuery {
  limit: number;
  q?: string | undefined;
  cursor?: PageCursor | undefined;
}

/** The `forms` and `form_versions` tables. Methods taking a query run in the caller's transaction. */
@Injectable()
export class FormsRepository {
  constructor(@Inject(FormBuilderDb) private readonly db: FormBuilderDb) {}

  async insert(record: FormRecord): Promise<void> {
    const insert = FORM.insert(record);
    await this.db.query()(`insert into ${this.db.table('forms')} ${insert.sql}`, insert.params);
  }

  /** With `lock`, the row stays locked until the transaction ends (publishing numbers versions in turn). */
  async findById(id: string, query: SqlQuery = this.db.query(), lock = false): Promise<FormRecord | null> {
    const rows = await query(`select ${FORM_COLUMNS} from ${this.db.table('forms')} where id = $1${lock ? ' for update' : ''}`, [id]);
    return rows[0] ? formOf(rows[0]) : null;
  }

  /** What taking a submission needs of a form, without its (possibly large) draft definition. */
  async findSummary(id: string): Promise<FormSummary | null> {
    const rows = await this.db.query()(`select id, status, latest_version, settings from ${this.db.table('forms')} where id = $1`, [id]);
    const row = rows[0];
    if (!row) return null;
    return { id: String(row.id), status: String(row.status) as FormStatus, latestVersion: row.latest_version === null ? null : Number(row.latest_version), settings: jsonOf<FormSettings>(row.settings) };
  }

  async update(record: FormRecord, query: SqlQuery = this.db.query()): Promise<void> {
    const update = FORM.update(record);
    await query(`update ${this.db.table('forms')} set ${update.sql} where id = $1`, update.params);
  }

  async list(request: FormListQuery): Promise<FormRecord[]> {
    const { params, param } = sqlParameters();
    const where = [`status <> 'archived'`];
    // strpos: the search text is matched literally (no LIKE wildcards to escape).
    if (request.q !== undefined) where.push(`strpos(lower(name), lower(${param(request.q)}::text)) > 0`);
    if (request.cursor) where.push(`(created_at, id) < (${param(request.cursor.createdAt)}, ${param(request.cursor.id)})`);
    const rows = await this.db.query()(`select ${FORM_COLUMNS} from ${this.db.table('forms')} where ${where.join(' and ')} order by created_at desc, id desc limit ${param(request.limit)}`, params);
    return rows.map(formOf);
  }

  async insertVersion(record: VersionRecord, query: SqlQuery): Promise<void> {
    await query(`insert into ${this.db.table('form_versions')} (${VERSION_COLUMNS}) values ($1, $2, $3, $4::jsonb, $5::jsonb, $6::jsonb, $7, $8)`, [
      record.formId,
      record.version,
      record.name,
      JSON.stringify(record.dataSchema),
      record.uiSchema === null ? null : JSON.stringify(record.uiSchema),
      JSON.stringify(record.settings),
      record.publishedBy,
      record.publishedAt,
    ]);
  }

  async findVersion(formId: string, version: number): Promise<VersionRecord | null> {
    const rows = await this.db.query()(`select ${VERSION_COLUMNS} from ${this.db.table('form_versions')} where form_id = $1 and version = $2`, [formId, version]);
    return rows[0] ? versionOf(rows[0]) : null;
  }
}

function formOf(row: Record<string, unknown>): FormRecord {
  return {
    id: String(row.id),
    name: String(row.name),
    description: typeof row.description === 'string' ? row.description : null,
    status: String(row.status) as FormStatus,
    latestVersion: row.latest_version === null ? null : Number(row.latest_version),
    dataSchema: jsonOf<JsonObject>(row.data_schema),
    uiSchema: row.ui_schema === null ? null : jsonOf<JsonObject>(row.ui_schema),
    settings: jsonOf<FormSettings>(row.settings),
    createdBy: String(row.created_by),
    createdAt: dateOf(row.created_at),
    updatedAt: dateOf(row.updated_at),
  };
}

function versionOf(row: Record<string, unknown>): VersionRecord {
  return {
    formId: String(row.form_id),
    version: Number(row.version),
    name: String(row.name),
    dataSchema: jsonOf<JsonObject>(row.data_schema),
    uiSchema: row.ui_schema === null ? null : jsonOf<JsonObject>(row.ui_schema),
    settings: jsonOf<FormSettings>(row.settings),
    publishedBy: String(row.published_by),
    publishedAt: dateOf(row.published_at),
  };
}
