import { type EntityManager, LockMode } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import type { PageCursor, Role } from '@np/contracts';
import { type EventEnvelope, insertOutboxEvent } from '@np/messaging';
import { type Database, emSqlQuery, quoteIdentifier } from '@np/persistence';
import { DATABASE, SETTINGS } from '@np/runtime';
import type { UsersSettings } from '../settings.js';
import { containsPattern } from './like-pattern.js';
import { UserEntity, type UserEntityType } from '../entities/user.entity.js';
import type { UserRecord } from './user-record.js';

export interface UserListQuery {
  limit: number;
  cursor?: PageCursor;
  q?: string;
}

export interface UserPage {
  items: UserRecord[];
  /** Position of the last item when more follow, else null. */
  next: PageCursor | null;
}

export type UserChanges = Partial<Pick<UserRecord, 'email' | 'displayName' | 'roles'>> & { updatedAt: Date };

export interface UsersReader {
  findById(id: string): Promise<UserRecord | null>;
  findByEmail(email: string): Promise<UserRecord | null>;
}

/** Writes inside one transaction: they commit together or not at all. */
export interface UsersWriter extends UsersReader {
  findByIdForUpdate(id: string): Promise<UserRecord | null>;
  /** Rejects with the driver's unique violation when the email is in use. */
  insert(record: UserRecord): Promise<void>;
  /** Rejects with the driver's unique violation when the new email is in use. */
  update(id: string, changes: UserChanges): Promise<void>;
  remove(id: string): Promise<void>;
  appendEvent(event: EventEnvelope): Promise<void>;
  /** Ids of every admin, locked until the transaction ends: concurrent demotions and deletions of admins take turns. */
  lockAdmins(): Promise<string[]>;
}

export interface UsersStore extends UsersReader {
  list(query: UserListQuery): Promise<UserPage>;
  transaction<T>(fn: (tx: UsersWriter) => Promise<T>): Promise<T>;
}

/** Typed queries over the service's `users` and `outbox` tables. */
@Injectable()
export class UsersRepository implements UsersStore {
  private readonly schema: string;

  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(SETTINGS) settings: Pick<UsersSettings, 'NP_USERS_SCHEMA'>,
  ) {
    this.schema = settings.NP_USERS_SCHEMA;
  }

  /**
   * The hottest read of the module (every profile view, every token refresh): one parameterised
   * statement, no entity hydration or identity map; the ORM's findOne cost about a quarter of a
   * request's CPU in the embedded benchmark.
   */
  async findById(id: string): Promise<UserRecord | null> {
    const rows = await this.db.em.getConnection().execute<UserRow[]>(`${this.selectUser} where id = ?`, [id]);
    const row = rows[0];
    return row ? fromRow(row) : null;
  }

  findByEmail(email: string): Promise<UserRecord | null> {
    return findOne(this.em(), { email: email.toLowerCase() });
  }

  private get selectUser(): string {
    return `select id, email, display_name, roles, created_at, updated_at from ${quoteIdentifier(this.schema)}.users`;
  }

  async list(query: UserListQuery): Promise<UserPage> {
    const rows = await this.em().find(UserEntity, { $and: [searchFilter(query.q), afterFilter(query.cursor)] }, {
      orderBy: { createdAt: 'asc', id: 'asc' },
      limit: query.limit + 1,
    });
    const items = rows.slice(0, query.limit).map(toRecord);
    const last = items.at(-1);
    return { items, next: rows.length > query.limit && last ? { createdAt: last.createdAt, id: last.id } : null };
  }

  transaction<T>(fn: (tx: UsersWriter) => Promise<T>): Promise<T> {
    return this.em().transactional((em) => fn(new TransactionWriter(em, this.schema)));
  }

  /** A fresh identity map per call: reads never see another handler's entity state. */
  private em(): EntityManager {
    return this.db.em.fork();
  }
}

class TransactionWriter implements UsersWriter {
  constructor(
    private readonly em: EntityManager,
    private readonly schema: string,
  ) {}

  findById(id: string): Promise<UserRecord | null> {
    return findOne(this.em, { id });
  }

  findByEmail(email: string): Promise<UserRecord | null> {
    return findOne(this.em, { email: email.toLowerCase() });
  }

  findByIdForUpdate(id: string): Promise<UserRecord | null> {
    return findOne(this.em, { id }, LockMode.PESSIMISTIC_WRITE);
  }

  async insert(record: UserRecord): Promise<void> {
    await this.em.insert(UserEntity, { ...record, email: record.email.toLowerCase() });
  }

  async update(id: string, changes: UserChanges): Promise<void> {
    const data = changes.email === undefined ? changes : { ...changes, email: changes.email.toLowerCase() };
    await this.em.nativeUpdate(UserEntity, { id }, data);
  }

  async remove(id: string): Promise<void> {
    await this.em.nativeDelete(UserEntity, { id });
  }

  async appendEvent(event: EventEnvelope): Promise<void> {
    await insertOutboxEvent(emSqlQuery(this.em), this.schema, event);
  }

  async lockAdmins(): Promise<string[]> {
    const rows = await this.em.find(UserEntity, { roles: { $contains: ['admin'] } }, { fields: ['id'], orderBy: { id: 'asc' }, lockMode: LockMode.PESSIMISTIC_WRITE });
    return rows.map((row) => row.id);
  }
}

async function findOne(em: EntityManager, where: { id: string } | { email: string }, lockMode?: LockMode): Promise<UserRecord | null> {
  const row = await em.findOne(UserEntity, where, lockMode === undefined ? {} : { lockMode });
  return row ? toRecord(row) : null;
}

function searchFilter(q: string | undefined) {
  if (q === undefined || q === '') return {};
  const pattern = containsPattern(q);
  return { $or: [{ email: { $ilike: pattern } }, { displayName: { $ilike: pattern } }] };
}

function afterFilter(cursor: PageCursor | undefined) {
  if (!cursor) return {};
  return { $or: [{ createdAt: { $gt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { $gt: cursor.id } }] };
}

interface UserRow {
  id: string;
  email: string;
  display_name: string;
  roles: Role[];
  /** MikroORM's raw results leave timestamps as PostgreSQL's text. */
  created_at: string;
  updated_at: string;
}

function fromRow(row: UserRow): UserRecord {
  return { id: row.id, email: row.email, displayName: row.display_name, roles: [...row.roles], createdAt: new Date(row.created_at), updatedAt: new Date(row.updated_at) };
}

function toRecord(row: UserEntityType): UserRecord {
  return {
    id: row.id,
    email: row.email,
    displayName: row.displayName,
    roles: [...row.roles] as Role[],
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
