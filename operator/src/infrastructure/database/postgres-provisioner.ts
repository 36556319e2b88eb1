import { NotOwnedError, ServerUnavailableError, type Provisioner, type ServerCalls } from '../provisioner.js';
import { serverMessage } from '../server-message.js';
import { CLUSTER_STATE_SQL, clusterStateSchema, SCHEMAS_SQL, schemasSchema, type ClusterState } from './catalog.js';
import { planCluster, planRemoval, planSchemas, setPassword } from './database-plan.js';
import { assertDatabaseSpec, type DatabaseSpec } from './database-spec.js';
import { PostgresConnections } from './postgres-connections.js';

export interface PostgresProvisionerOptions {
  /**
   * The provisioner's login, a role with `LOGIN CREATEDB CREATEROLE` (a superuser works too but
   * is not needed): `postgresql://<role>:<password>@host:5432/<maintenance database>`.
   */
  url: string;
  /** Default 5 s. */
  connectTimeoutMs?: number;
  /** Default 60 s. */
  statementTimeoutMs?: number;
}

/**
 * A tenant's database on a PostgreSQL server: an owner role (SCRAM) and the database it owns,
 * closed to PUBLIC (no CONNECT, no TEMPORARY) and commented with the operator's marker; per
 * module a role that may connect, owns its schema, reaches no other schema, and has its
 * `search_path` set to its schema. Reads come first, writes only for what differs: a converged
 * tenant costs one catalog SELECT on the server, one in the tenant's database and one login per
 * role (the only way to check a password without reading the server's secrets).
 */
export class PostgresProvisioner implements Provisioner<DatabaseSpec> {
  readonly kind = 'database';
  readonly calls: ServerCalls = { reads: 0, writes: 0 };
  private readonly connections: PostgresConnections;

  constructor(options: PostgresProvisionerOptions) {
    this.connections = new PostgresConnections(
      { url: options.url, connectTimeoutMs: options.connectTimeoutMs ?? 5_000, statementTimeoutMs: options.statementTimeoutMs ?? 60_000 },
      this.calls,
    );
  }

  async ensure(spec: DatabaseSpec): Promise<void> {
    assertDatabaseSpec(spec);
    await this.talking(async () => {
      const { connections } = this;
      const plan = planCluster(spec, await this.clusterState(spec));
      for (const batch of plan.batches) await connections.write(connections.admin, batch);
      await connections.inDatabase(spec.database, async (client) => {
        const { schemas } = await connections.read(client, SCHEMAS_SQL, [], schemasSchema);
        for (const batch of planSchemas(spec, schemas)) await connections.write(client, batch);
      });
      for (const account of plan.passwordsToCheck) {
        if (!(await connections.loginWorks(account, spec.database))) await connections.write(connections.admin, setPassword(account));
      }
    });
  }

  /** Drops the database (closing its connections) and the tenant's roles; leaves, and names, what is not the operator's. */
  async remove(spec: DatabaseSpec): Promise<void> {
    const notOwned = await this.talking(async () => {
      const plan = planRemoval(spec, await this.clusterState(spec));
      for (const batch of plan.batches) await this.connections.write(this.connections.admin, batch);
      return plan.notOwned;
    });
    if (notOwned.length > 0) throw new NotOwnedError('database', notOwned.join(', '));
  }

  /** Closes the provisioner's pool. */
  async close(): Promise<void> {
    await this.connections.close();
  }

  private clusterState(spec: DatabaseSpec): Promise<ClusterState> {
    const roles = [{ name: spec.owner.username, schema: null }, ...spec.modules.map((entry) => ({ name: entry.account.username, schema: entry.schema }))];
    return this.connections.read(this.connections.admin, CLUSTER_STATE_SQL, [spec.database, JSON.stringify(roles)], clusterStateSchema);
  }

  /** Everything the server says, refusals included, becomes `ServerUnavailableError` with its words; `NotOwnedError` stays itself. */
  private async talking<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof NotOwnedError || error instanceof ServerUnavailableError) throw error;
      throw new ServerUnavailableError('database', `PostgreSQL: ${serverMessage(error)}`, { cause: error });
    }
  }
}
