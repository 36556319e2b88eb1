import pg from 'pg';
import type { z } from 'zod';
import type { Account, ServerCalls } from '../provisioner.js';

export interface ConnectionSettings {
  /** The provisioner's own login: `postgresql://<role>:<password>@host:5432/<maintenance database>`. */
  url: string;
  connectTimeoutMs: number;
  statementTimeoutMs: number;
}

type Queryable = Pick<pg.ClientBase, 'query'>;

/**
 * The provisioner's connections and the count of what it sends: SELECTs and login checks are
 * reads, everything else writes. One small pool on the maintenance database for the cluster-wide
 * work; a connection of its own, opened and closed per ensure, inside a tenant's database.
 */
export class PostgresConnections {
  readonly admin: pg.Pool;

  constructor(
    private readonly settings: ConnectionSettings,
    private readonly calls: ServerCalls,
  ) {
    this.admin = new pg.Pool({ ...this.config(), max: 2, idleTimeoutMillis: 10_000 });
    // An idle connection the server drops must not crash the operator; the next query reports it.
    this.admin.on('error', () => undefined);
  }

  /** One row of a SELECT, parsed. */
  async read<T>(client: Queryable, text: string, values: unknown[], schema: z.ZodType<T>): Promise<T> {
    this.calls.reads += 1;
    const result = await client.query(text, values);
    return schema.parse(result.rows[0]);
  }

  /** One request that changes something: a statement, or several run as one transaction. */
  async write(client: Queryable, text: string): Promise<void> {
    this.calls.writes += 1;
    await client.query(text);
  }

  /** Runs `work` on a connection of the provisioner's inside `database`, closed afterwards. */
  async inDatabase<T>(database: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client(this.config({ database }));
    client.on('error', () => undefined);
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /**
   * Whether `account` can log in to `database` with its password: the server keeps only a
   * verifier the provisioner may not read, so a login is the cheap way to check it without a
   * write. False only for PostgreSQL's `invalid_password` (28P01); anything else is thrown.
   */
  async loginWorks(account: Account, database: string): Promise<boolean> {
    this.calls.reads += 1;
    const client = new pg.Client(this.config({ database, account }));
    client.on('error', () => undefined);
    try {
      await client.connect();
      return true;
    } catch (error) {
      if ((error as { code?: unknown }).code === '28P01') return false;
      throw error;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await this.admin.end();
  }

  private config(target: { database?: string; account?: Account } = {}): pg.ClientConfig {
    // pg lets a connection string win over separate fields, so the target goes into the URL itself.
    const url = new URL(this.settings.url);
    if (target.database !== undefined) url.pathname = `/${encodeURIComponent(target.database)}`;
    if (target.account !== undefined) {
      url.username = encodeURIComponent(target.account.username);
      url.password = encodeURIComponent(target.account.password);
    }
    return {
      connectionString: url.toString(),
      connectionTimeoutMillis: this.settings.connectTimeoutMs,
      statement_timeout: this.settings.statementTimeoutMs,
      application_name: 'np-operator',
    };
  }
}
