import { quoteIdentifier } from '@np/persistence';
import type { z } from 'zod';
import type { formPublishedEventSchema, submissionEventSchema } from '../contracts/forms-events.js';

/** A query on one connection inside the caller's transaction. */
export type Query = (sql: string, params: unknown[]) => Promise<unknown>;

interface UserPayload {
  user: { id: string; email: string; displayName: string; roles: string[]; createdAt: string; updatedAt: string };
}
interface FilePayload {
  id: string;
  name: string;
  folder: string;
  size: number;
  contentType: string;
  public: boolean;
  ownerId: string;
  createdAt: string;
  /** Absent on `files.file.uploaded` (version 1). */
  version?: number;
}

/**
 * Applies one accepted event to the projection tables. Every step is an upsert or a delete that
 * gives the same table whatever the order of replays: a user, a file or a submission keeps its
 * newest version (`updated_at`, a file's `version`), a deletion removes the row.
 */
export class Projector {
  private readonly s: string;

  constructor(schema: string) {
    this.s = quoteIdentifier(schema);
  }

  /** The tables `rebuild` empties before replaying the stream. */
  get tables(): string[] {
    return ['users_view', 'files_view', 'forms_view', 'submissions_view', 'tombstones'].map((table) => `${this.s}.${table}`);
  }

  async apply(query: Query, name: string, payload: unknown): Promise<void> {
    const entity = entityOf(name, payload);
    // Events about one user or file take turns, so a deletion and a late creation cannot both miss each other's tombstone check.
    if (entity) await query('select pg_advisory_xact_lock(hashtext($1))', [`np:reports:${entity.kind}:${entity.id}`]);
    switch (name) {
      case 'users.user.created':
      case 'users.user.updated':
        return this.upsertUser(query, payload as UserPayload);
      case 'users.user.deleted':
        return this.bury(query, 'user', 'users_view', (payload as { id: string }).id);
      case 'files.file.uploaded':
      case 'files.file.updated':
        return this.upsertFile(query, payload as FilePayload);
      case 'files.file.deleted':
        return this.bury(query, 'file', 'files_view', (payload as { id: string }).id);
      case 'forms.form.published':
        return this.insertForm(query, payload as z.output<typeof formPublishedEventSchema>);
      case 'forms.submission.created':
      case 'forms.submission.updated':
        return this.upsertSubmission(query, payload as z.output<typeof submissionEventSchema>);
      default:
        return;
    }
  }

  private async bury(query: Query, kind: string, table: string, id: string): Promise<void> {
    await query(`insert into ${this.s}.tombstones (kind, id) values ($1, $2) on conflict do nothing`, [kind, id]);
    await query(`delete from ${this.s}.${table} where id = $1`, [id]);
  }

  private alive(kind: string): string {
    return `where not exists (select 1 from ${this.s}.tombstones where kind = '${kind}' and id = $1::uuid)`;
  }

  private async upsertUser(query: Query, { user }: UserPayload): Promise<void> {
    await query(
      `insert into ${this.s}.users_view (id, email, display_name, roles, created_at, updated_at) select $1::uuid, $2::text, $3::text, $4::text[], $5::timestamptz, $6::timestamptz ${this.alive('user')}
       on conflict (id) do update set email = excluded.email, display_name = excluded.display_name, roles = excluded.roles, updated_at = excluded.updated_at
       where ${this.s}.users_view.updated_at <= excluded.updated_at`,
      [user.id, user.email, user.displayName, user.roles, user.createdAt, user.updatedAt],
    );
  }

  private async upsertFile(query: Query, file: FilePayload): Promise<void> {
    await query(
      `insert into ${this.s}.files_view (id, name, folder, size, content_type, public, owner_id, created_at, version) select $1::uuid, $2::text, $3::text, $4::bigint, $5::text, $6::boolean, $7::uuid, $8::timestamptz, $9::integer ${this.alive('file')}
       on conflict (id) do update set name = excluded.name, folder = excluded.folder, public = excluded.public, version = excluded.version
       where ${this.s}.files_view.version < excluded.version`,
      [file.id, file.name, file.folder, file.size, file.contentType, file.public, file.ownerId, file.createdAt, file.version ?? 1],
    );
  }

  private async insertForm(query: Query, form: z.output<typeof formPublishedEventSchema>): Promise<void> {
    await query(
      `insert into ${this.s}.forms_view (form_id, version, name, data_schema, published_at) values ($1, $2, $3, $4, $5) on conflict (form_id, version) do nothing`,
      [form.formId, form.version, form.name, JSON.stringify(form.dataSchema), form.publishedAt],
    );
  }

  private async upsertSubmission(query: Query, { submission }: z.output<typeof submissionEventSchema>): Promise<void> {
    await query(
      `insert into ${this.s}.submissions_view (id, form_id, version, state, data, submitted_by, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8)
       on conflict (id) do update set version = excluded.version, state = excluded.state, data = excluded.data, updated_at = excluded.updated_at
       where ${this.s}.submissions_view.updated_at <= excluded.updated_at`,
      [submission.id, submission.formId, submission.version, submission.state, JSON.stringify(submission.data), submission.submittedBy, submission.createdAt, submission.updatedAt],
    );
  }
}

function entityOf(name: string, payload: unknown): { kind: string; id: string } | undefined {
  if (name.startsWith('users.user.')) {
    const { id, user } = payload as { id?: string; user?: { id: string } };
    return { kind: 'user', id: user?.id ?? id ?? '' };
  }
  if (name.startsWith('files.file.')) return { kind: 'file', id: (payload as { id: string }).id };
  return undefined;
}
