import { Inject, Injectable } from '@nestjs/common';
import type { PageCursor } from '@np/contracts';
import { type EventEnvelope, insertOutboxEvent } from '@np/messaging';
import { type Database, emSqlQuery, ormTransactions, quoteIdentifier, sqlParameters, type SqlQuery } from '@np/persistence';
import { DATABASE, SETTINGS } from '@np/runtime';
import type { FilesSettings } from '../settings.js';
import type { FileRecord } from './file-record.js';

export interface FileListQuery {
  limit: number;
  /** Only this owner's files; all of the tenant's when undefined. */
  ownerId?: string;
  folder?: string;
  q?: string;
  cursor?: PageCursor;
}

/** What `PATCH /v1/files/:id` sets, already cleaned; what it leaves out stays as it is. */
export interface FileChanges {
  name?: string;
  folder?: string;
  public?: boolean;
}

export interface Usage {
  bytes: number;
  files: number;
}

/** Writes inside one transaction: they commit together or not at all. */
export interface FilesWriter {
  /** Holds the tenant's quota until the transaction ends: uploads finishing together take turns. */
  lockUsage(): Promise<Usage>;
  insert(record: FileRecord): Promise<void>;
  /** The file with `changes` applied and its version counted up, or null when there was none. */
  update(id: string, changes: FileChanges): Promise<FileRecord | null>;
  /** The removed file, or null when there was none. */
  remove(id: string): Promise<FileRecord | null>;
  appendEvent(event: EventEnvelope): Promise<void>;
}

export interface FilesStore {
  findById(id: string): Promise<FileRecord | null>;
  findByIds(ids: readonly string[]): Promise<FileRecord[]>;
  list(query: FileListQuery): Promise<FileRecord[]>;
  usage(): Promise<Usage>;
  /** The tenant's link-signing key, made on first use. */
  linkKey(make: () => string): Promise<string>;
  transaction<T>(fn: (tx: FilesWriter) => Promise<T>): Promise<T>;
}

const COLUMNS = 'id, object_key, name, folder, size, content_type, sha256, public, owner_id, created_at, version';

type FileRow = Record<string, unknown>;

/** Plain SQL over the service's `files`, `link_keys` and `outbox` tables. */
@Injectable()
export class FilesRepository implements FilesStore {
  private readonly schema: string;
  private readonly table: string;

  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(SETTINGS) settings: Pick<FilesSettings, 'NP_FILES_SCHEMA'>,
  ) {
    this.schema = settings.NP_FILES_SCHEMA;
    this.table = `${quoteIdentifier(this.schema)}.files`;
  }

  async findById(id: string): Promise<FileRecord | null> {
    const rows = await this.query()(`select ${COLUMNS} from ${this.table} where id = $1`, [id]);
    return rows[0] ? fromRow(rows[0]) : null;
  }

  async findByIds(ids: readonly string[]): Promise<FileRecord[]> {
    if (ids.length === 0) return [];
    return (await this.query()(`select ${COLUMNS} from ${this.table} where id = any($1::uuid[])`, [ids])).map(fromRow);
  }

  async list(query: FileListQuery): Promise<FileRecord[]> {
    const where: string[] = [];
    const { params, param } = sqlParameters();
    if (query.ownerId !== undefined) where.push(`owner_id = ${param(query.ownerId)}`);
    if (query.folder !== undefined) where.push(`folder = ${param(query.folder)}`);
    // strpos: the search text is matched literally (no LIKE wildcards to escape).
    if (query.q !== undefined) where.push(`strpos(lower(name), lower(${param(query.q)})) > 0`);
    if (query.cursor) where.push(`(created_at, id) < (${param(query.cursor.createdAt)}, ${param(query.cursor.id)})`);
    const sql = `select ${COLUMNS} from ${this.table} ${where.length > 0 ? `where ${where.join(' and ')}` : ''} order by created_at desc, id desc limit ${param(query.limit)}`;
    return (await this.query()(sql, params)).map(fromRow);
  }

  async usage(): Promise<Usage> {
    return usageOf(this.query(), this.table);
  }

  async linkKey(make: () => string): Promise<string> {
    const keys = `${quoteIdentifier(this.schema)}.link_keys`;
    await this.query()(`insert into ${keys} (id, secret) values (1, $1) on conflict (id) do nothing`, [make()]);
    const rows = await this.query()(`select secret from ${keys} where id = 1`, []);
    return String(rows[0]?.secret);
  }

  transaction<T>(fn: (tx: FilesWriter) => Promise<T>): Promise<T> {
    return ormTransactions(this.db)((query) => fn(new TransactionWriter(query, this.schema, this.table)));
  }

  private query(): SqlQuery {
    return emSqlQuery(this.db.em.fork());
  }
}

class TransactionWriter implements FilesWriter {
  constructor(
    private readonly query: SqlQuery,
    private readonly schema: string,
    private readonly table: string,
  ) {}

  async lockUsage(): Promise<Usage> {
    await this.query('select pg_advisory_xact_lock(hashtext($1))', [`np:files-quota:${this.schema}`]);
    return usageOf(this.query, this.table);
  }

  async insert(record: FileRecord): Promise<void> {
    await this.query(`insert into ${this.table} (${COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, [
      record.id,
      record.objectKey,
      record.name,
      record.folder,
      record.size,
      record.contentType,
      record.sha256,
      record.public,
      record.ownerId,
      record.createdAt,
      record.version,
    ]);
  }

  async update(id: string, changes: FileChanges): Promise<FileRecord | null> {
    // Only the fields given are written (coalesce), so two changes of different fields both hold.
    const rows = await this.query(
      `update ${this.table} set name = coalesce($2, name), folder = coalesce($3, folder), public = coalesce($4, public), version = version + 1 where id = $1 returning ${COLUMNS}`,
      [id, changes.name ?? null, changes.folder ?? null, changes.public ?? null],
    );
    return rows[0] ? fromRow(rows[0]) : null;
  }

  async remove(id: string): Promise<FileRecord | null> {
    const rows = await this.query(`delete from ${this.table} where id = $1 returning ${COLUMNS}`, [id]);
    return rows[0] ? fromRow(rows[0]) : null;
  }

  async appendEvent(event: EventEnvelope): Promise<void> {
    await insertOutboxEvent(this.query, this.schema, event);
  }
}

async function usageOf(query: SqlQuery, table: string): Promise<Usage> {
  const rows = await query(`select coalesce(sum(size), 0)::bigint as bytes, count(*)::bigint as files from ${table}`, []);
  return { bytes: Number(rows[0]?.bytes ?? 0), files: Number(rows[0]?.files ?? 0) };
}

function fromRow(row: FileRow): FileRecord {
  return {
    id: String(row.id),
    objectKey: String(row.object_key),
    name: String(row.name),
    folder: String(row.folder),
    size: Number(row.size),
    contentType: String(row.content_type),
    sha256: String(row.sha256),
    public: row.public === true,
    ownerId: String(row.owner_id),
    createdAt: row.created_at instanceof Date ? row.created_at : new Date(String(row.created_at)),
    version: Number(row.version),
  };
}
