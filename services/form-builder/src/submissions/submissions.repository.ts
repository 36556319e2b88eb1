import { Inject, Injectable } from '@nestjs/common';
import type { PageCursor } from '@np/contracts';
import type { EventEnvelope } from '@np/messaging';
import { type SqlQuery, sqlParameters } from '@np/persistence';
import type { JsonObject, SubmissionState } from '../contracts/index.js';
import { dateOf, FormBuilderDb, jsonOf } from '../store/form-builder-db.js';
import { type RecordColumn, RecordColumns } from '../store/record-columns.js';
import { eventWithDeliveries } from '../webhooks/event-deliveries.js';
import type { SubmissionRecord } from './submission-record.js';

const KEY: RecordColumn<SubmissionRecord> = { name: 'id', value: (record) => record.id, fixed: true };
/** A submission changes only its state, data and time of change: the rest is set once. */
const SUBMISSION = new RecordColumns<SubmissionRecord>(
  [
    KEY,
    { name: 'form_id', value: (record) => record.formId, fixed: true },
    { name: 'version', value: (record) => record.version, fixed: true },
    { name: 'state', value: (record) => record.state },
    { name: 'data', cast: 'jsonb', value: (record) => JSON.stringify(record.data) },
    { name: 'submitted_by', value: (record) => record.submittedBy, fixed: true },
    { name: 'created_at', value: (record) => record.createdAt, fixed: true },
    { name: 'updated_at', value: (record) => record.updatedAt },
  ],
  KEY,
);
const COLUMNS = SUBMISSION.names;
const COUNT_DELIVERIES = 'select count(*)::int as deliveries from deliveries';

export type DraftUpdate = 'updated' | 'not_draft' | 'form_archived';

export interface SubmissionListQuery {
  formId: string;
  limit: number;
  version?: number | undefined;
  state?: SubmissionState | undefined;
  cursor?: PageCursor | undefined;
}

/** The `submissions` table. Writes take the caller's transaction (they commit with their event). */
@Injectable()
export class SubmissionsRepository {
  constructor(@Inject(FormBuilderDb) private readonly db: FormBuilderDb) {}

  /**
   * The submission, its event and its webhook deliveries in one statement: all are committed, or
   * none (no transaction round trips). Answers how many deliveries were written.
   */
  async insertWithEvent(record: SubmissionRecord, event: EventEnvelope, maxAttempts: number): Promise<number> {
    const insert = SUBMISSION.insert(record);
    const rest = eventWithDeliveries(this.db.schema, event, { formId: record.formId, type: 'submission.created', maxAttempts }, insert.params.length + 1);
    const rows = await this.db.query()(`with submission as (insert into ${this.db.table('submissions')} ${insert.sql}), ${rest.sql} ${COUNT_DELIVERIES}`, [...insert.params, ...rest.params]);
    return Number(rows[0]?.deliveries ?? 0);
  }

  /** A changed draft's event and its webhook deliveries, in the caller's transaction. Answers how many deliveries were written. */
  async insertUpdateEvent(record: SubmissionRecord, event: EventEnvelope, maxAttempts: number, query: SqlQuery): Promise<number> {
    const part = eventWithDeliveries(this.db.schema, event, { formId: record.formId, type: 'submission.updated', maxAttempts }, 1);
    const rows = await query(`with ${part.sql} ${COUNT_DELIVERIES}`, part.params);
    return Number(rows[0]?.deliveries ?? 0);
  }

  /**
   * Updates a draft of a form that is not archived. The form's row is locked for share, so an
   * archive running at the same time waits for this update or this update sees the archive.
   * Answers why nothing was updated otherwise: the draft was submitted meanwhile, or its form archived.
   */
  async updateDraft(record: SubmissionRecord, query: SqlQuery): Promise<DraftUpdate> {
    const update = SUBMISSION.update(record);
    const rows = await query(
      `with form as (select status from ${this.db.table('forms')} where id = ${update.param(record.formId)} for share),
            updated as (
              update ${this.db.table('submissions')} set ${update.sql}
               where id = $1 and state = 'draft' and exists (select 1 from form where status <> 'archived') returning id
            )
       select (select count(*) from updated)::int as updated, (select status from form) as form_status`,
      update.params,
    );
    const row = rows[0];
    if (Number(row?.updated) === 1) return 'updated';
    return row?.form_status === 'archived' ? 'form_archived' : 'not_draft';
  }

  async findById(id: string): Promise<SubmissionRecord | null> {
    const rows = await this.db.query()(`select ${COLUMNS} from ${this.db.table('submissions')} where id = $1`, [id]);
    return rows[0] ? recordOf(rows[0]) : null;
  }

  async list(request: SubmissionListQuery): Promise<SubmissionRecord[]> {
    const { params, param } = sqlParameters();
    const where = [`form_id = ${param(request.formId)}`];
    if (request.version !== undefined) where.push(`version = ${param(request.version)}`);
    if (request.state !== undefined) where.push(`state = ${param(request.state)}`);
    if (request.cursor) where.push(`(created_at, id) < (${param(request.cursor.createdAt)}, ${param(request.cursor.id)})`);
    const rows = await this.db.query()(`select ${COLUMNS} from ${this.db.table('submissions')} where ${where.join(' and ')} order by created_at desc, id desc limit ${param(request.limit)}`, params);
    return rows.map(recordOf);
  }
}

function recordOf(row: Record<string, unknown>): SubmissionRecord {
  return {
    id: String(row.id),
    formId: String(row.form_id),
    version: Number(row.version),
    state: String(row.state) as SubmissionState,
    data: jsonOf<JsonObject>(row.data),
    submittedBy: typeof row.submitted_by === 'string' ? row.submitted_by : null,
    createdAt: dateOf(row.created_at),
    updatedAt: dateOf(row.updated_at),
  };
}
