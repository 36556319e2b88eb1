import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { moduleEntry } from '@np/modules';
import { testDatabaseUrl } from '@np/testing';
import { NotOwnedError, ServerUnavailableError, type Account } from '../../src/infrastructure/provisioner.js';
import { ownerComment, PostgresProvisioner, tenantDatabase, type DatabaseSpec } from '../../src/infrastructure/database/index.js';
import { account, closedPort, newPassword, rejectionOf, uniqueTenant } from './support.js';

const ident = (name: string) => pg.escapeIdentifier(name);

function urlFor(database: string, who?: Account): string {
  const url = new URL(testDatabaseUrl());
  url.pathname = `/${encodeURIComponent(database)}`;
  if (who) {
    url.username = encodeURIComponent(who.username);
    url.password = encodeURIComponent(who.password);
  }
  return url.toString();
}

/** Runs `work` as `who` (the tests' superuser by default) in `database`. */
async function as<T>(who: Account | undefined, database: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: urlFor(database, who) });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const superuser = <T>(work: (client: pg.Client) => Promise<T>, database = new URL(testDatabaseUrl()).pathname.slice(1)) => as(undefined, database, work);

async function rows(sql: string, values: unknown[] = [], database?: string): Promise<Record<string, unknown>[]> {
  return superuser(async (client) => (await client.query(sql, values)).rows as Record<string, unknown>[], database);
}

function specFor(tenant: string): DatabaseSpec {
  const database = tenantDatabase(tenant);
  return {
    tenant,
    database,
    owner: account(database),
    modules: (['auth', 'users'] as const).map((module) => {
      const schema = moduleEntry(module).schema;
      return { module, schema, account: account(`${database}_${schema}`) };
    }),
  };
}

function role(spec: DatabaseSpec, module: string): Account {
  const entry = spec.modules.find((candidate) => candidate.module === module);
  if (!entry) throw new Error(`no ${module} in the spec`);
  return entry.account;
}

const roleNames = (spec: DatabaseSpec) => [spec.owner.username, ...spec.modules.map((entry) => entry.account.username)];

describe('PostgresProvisioner against the real server', () => {
  // A dedicated provisioner role, as in production: LOGIN CREATEDB CREATEROLE, not a superuser.
  const provisionerRole = account(`np_provisioner_${randomBytes(3).toString('hex')}`);
  const provisionerUrl = urlFor(new URL(testDatabaseUrl()).pathname.slice(1), provisionerRole);
  let provisioner: PostgresProvisioner;
  const a = specFor(uniqueTenant('pga'));
  const b = specFor(uniqueTenant('pgb'));
  const hijacked = specFor(uniqueTenant('pgh'));

  beforeAll(async () => {
    await superuser((client) =>
      client.query(`CREATE ROLE ${ident(provisionerRole.username)} LOGIN CREATEDB CREATEROLE PASSWORD ${pg.escapeLiteral(provisionerRole.password)}`),
    );
    provisioner = new PostgresProvisioner({ url: provisionerUrl });
    await provisioner.ensure(a);
    await provisioner.ensure(b);
  });

  afterAll(async () => {
    await Promise.allSettled([a, b].map((spec) => provisioner.remove(spec)));
    await provisioner.close();
    await superuser(async (client) => {
      await client.query(`DROP DATABASE IF EXISTS ${ident(hijacked.database)} WITH (FORCE)`);
      for (const name of [...roleNames(hijacked), provisionerRole.username]) await client.query(`DROP ROLE IF EXISTS ${ident(name)}`);
    });
  });

  it('creates the database owned by its role, closed to PUBLIC, with one schema per module owned by its role', async () => {
    const [database] = await rows(
      `SELECT pg_get_userbyid(datdba) AS owner, shobj_description(oid, 'pg_database') AS comment,
              (SELECT array_agg(privilege_type ORDER BY privilege_type) FROM aclexplode(coalesce(datacl, acldefault('d', datdba))) WHERE grantee = 0) AS public
       FROM pg_database WHERE datname = $1`,
      [a.database],
    );
    expect(database).toEqual({ owner: a.owner.username, comment: ownerComment(a.tenant), public: null });
    const roles = await rows(
      `SELECT rolname, rolsuper, rolcreatedb, rolcreaterole, shobj_description(oid, 'pg_authid') AS comment,
              (SELECT setconfig FROM pg_db_role_setting WHERE setrole = r.oid AND setdatabase = 0) AS settings,
              (SELECT rolpassword FROM pg_authid WHERE oid = r.oid) LIKE 'SCRAM-SHA-256$%' AS scram
       FROM pg_roles r WHERE rolname = ANY($1) ORDER BY rolname`,
      [roleNames(a)],
    );
    const plain = { rolsuper: false, rolcreatedb: false, rolcreaterole: false, comment: ownerComment(a.tenant), scram: true };
    expect(roles).toEqual([
      { rolname: a.owner.username, ...plain, settings: null },
      { rolname: role(a, 'auth').username, ...plain, settings: ['search_path=auth'] },
      { rolname: role(a, 'users').username, ...plain, settings: ['search_path=users'] },
    ]);
    const schemas = await rows(
      `SELECT nspname AS name, pg_get_userbyid(nspowner) AS owner, nspacl::text[] AS acl FROM pg_namespace
       WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' ORDER BY nspname`,
      [],
      a.database,
    );
    expect(schemas).toEqual([
      { name: 'auth', owner: role(a, 'auth').username, acl: null },
      { name: 'public', owner: 'pg_database_owner', acl: ['pg_database_owner=UC/pg_database_owner'] },
      { name: 'users', owner: role(a, 'users').username, acl: null },
    ]);
    const [provisionerAttributes] = await rows('SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = $1', [provisionerRole.username]);
    expect(provisionerAttributes).toEqual({ rolsuper: false, rolcreatedb: true, rolcreaterole: true });
  });

  it('makes no write on a second ensure of a converged tenant', async () => {
    const before = { ...provisioner.calls };
    await provisioner.ensure(a);
    await provisioner.ensure(b);
    expect(provisioner.calls.writes).toBe(before.writes);
    // Per tenant: the cluster SELECT, the schemas SELECT, a login for each of the 3 roles.
    expect(provisioner.calls.reads - before.reads).toBe(2 * (2 + 3));
  });

  it("refuses tenant A's credentials on tenant B's database", async () => {
    for (const who of [role(a, 'users'), a.owner]) {
      const refused = await rejectionOf(as(who, b.database, (client) => client.query('SELECT 1')));
      expect(refused).toMatchObject({ code: '42501', message: `permission denied for database "${b.database}"` });
    }
    const wrongPassword = await rejectionOf(as({ username: role(a, 'users').username, password: role(b, 'users').password }, a.database, (client) => client.query('SELECT 1')));
    expect(wrongPassword).toMatchObject({ code: '28P01', message: `password authentication failed for user "${role(a, 'users').username}"` });
    await expect(as(role(a, 'users'), a.database, async (client) => (await client.query('SELECT 1 AS one')).rows)).resolves.toEqual([{ one: 1 }]);
  });

  it("keeps a module in its own schema: it cannot read another module's, nor create elsewhere", async () => {
    await as(role(a, 'auth'), a.database, async (client) => {
      await client.query('CREATE TABLE secrets (value text)');
      await client.query("INSERT INTO secrets VALUES ('only auth')");
      expect((await client.query('SELECT value FROM auth.secrets')).rows).toEqual([{ value: 'only auth' }]);
    });
    await as(role(a, 'users'), a.database, async (client) => {
      expect((await client.query('SELECT current_schema() AS schema')).rows).toEqual([{ schema: 'users' }]);
      await expect(client.query('SELECT * FROM auth.secrets')).rejects.toMatchObject({ code: '42501', message: 'permission denied for schema auth' });
      await expect(client.query('CREATE TABLE public.elsewhere (id int)')).rejects.toMatchObject({ message: 'permission denied for schema public' });
      await expect(client.query('CREATE SCHEMA mine')).rejects.toMatchObject({ message: `permission denied for database ${a.database}` });
      await expect(client.query('CREATE TEMP TABLE scratch (id int)')).rejects.toMatchObject({
        message: `permission denied to create temporary tables in database "${a.database}"`,
      });
    });
  });

  it('repairs what was deleted or granted by hand', async () => {
    const users = role(a, 'users');
    const auth = role(a, 'auth');
    await superuser(async (client) => {
      await client.query(`GRANT USAGE ON SCHEMA auth TO ${ident(users.username)}`);
      await client.query(`GRANT ${ident(auth.username)} TO ${ident(users.username)}`);
    }, a.database);
    await superuser(async (client) => {
      await client.query(`GRANT CONNECT ON DATABASE ${ident(a.database)} TO ${ident(role(b, 'users').username)}`);
      await client.query(`ALTER ROLE ${ident(auth.username)} PASSWORD ${pg.escapeLiteral(newPassword())}`);
    });
    let writes = provisioner.calls.writes;
    await provisioner.ensure(a);
    // The role membership, the CONNECT of B's role, the grant on auth's schema, auth's password.
    expect(provisioner.calls.writes - writes).toBe(4);
    await as(auth, a.database, (client) => client.query('SELECT 1'));
    await expect(as(role(b, 'users'), a.database, (client) => client.query('SELECT 1'))).rejects.toMatchObject({ code: '42501' });
    await as(users, a.database, async (client) => {
      await expect(client.query('SELECT * FROM auth.secrets')).rejects.toMatchObject({ message: 'permission denied for schema auth' });
    });

    // A module role (with its schema) and then the whole database, dropped.
    await superuser(async (client) => {
      await client.query(`DROP OWNED BY ${ident(users.username)} CASCADE`);
      await client.query(`DROP ROLE ${ident(users.username)}`);
    }, a.database);
    await provisioner.ensure(a);
    await as(users, a.database, async (client) => {
      await client.query('CREATE TABLE profiles (id int)');
      expect((await client.query("SELECT to_regclass('users.profiles') IS NOT NULL AS there")).rows).toEqual([{ there: true }]);
    });
    await superuser((client) => client.query(`DROP DATABASE ${ident(a.database)} WITH (FORCE)`));
    await provisioner.ensure(a);
    for (const who of [a.owner, auth, users]) await as(who, a.database, (client) => client.query('SELECT 1'));
    expect((await rows('SELECT nspname FROM pg_namespace WHERE nspname IN ($1, $2) ORDER BY 1', ['auth', 'users'], a.database)).length).toBe(2);

    writes = provisioner.calls.writes;
    await provisioner.ensure(a);
    expect(provisioner.calls.writes).toBe(writes);
  });

  it('refuses to adopt a database or a role it did not create', async () => {
    await superuser((client) => client.query(`CREATE DATABASE ${ident(hijacked.database)}`));
    const error = await rejectionOf(provisioner.ensure(hijacked));
    expect(error).toBeInstanceOf(NotOwnedError);
    expect(error).toMatchObject({ kind: 'database', resource: `database ${hijacked.database}` });
    // Refused before any write: none of its roles was created.
    expect(await rows('SELECT rolname FROM pg_roles WHERE rolname = ANY($1)', [roleNames(hijacked)])).toEqual([]);
    expect(await rejectionOf(provisioner.remove(hijacked))).toBeInstanceOf(NotOwnedError);
    expect(await rows('SELECT 1 FROM pg_database WHERE datname = $1', [hijacked.database])).toHaveLength(1);

    await superuser((client) => client.query(`DROP DATABASE ${ident(hijacked.database)}`));
    await superuser((client) => client.query(`CREATE ROLE ${ident(hijacked.owner.username)} LOGIN`));
    expect(await rejectionOf(provisioner.ensure(hijacked))).toMatchObject({ name: 'NotOwnedError', resource: `role ${hijacked.owner.username}` });
  });

  it('leaves nothing after remove, even with a module still connected, and a second remove is fine', async () => {
    const spec = specFor(uniqueTenant('pgr'));
    await provisioner.ensure(spec);
    const connected = new pg.Client({ connectionString: urlFor(spec.database, role(spec, 'users')) });
    connected.on('error', () => undefined);
    await connected.connect();
    await provisioner.remove(spec);
    await provisioner.remove(spec);
    await connected.end().catch(() => undefined);
    expect(await rows('SELECT 1 FROM pg_database WHERE datname = $1', [spec.database])).toEqual([]);
    expect(await rows('SELECT rolname FROM pg_roles WHERE rolname = ANY($1)', [roleNames(spec)])).toEqual([]);
  });

  it('reports a server it cannot reach, or that refuses it, as ServerUnavailableError with what it said', async () => {
    const down = new URL(provisionerUrl);
    down.port = String(await closedPort());
    const unreachable = new PostgresProvisioner({ url: down.toString() });
    const error = await rejectionOf(unreachable.ensure(specFor(uniqueTenant('pgd'))));
    await unreachable.close();
    expect(error).toBeInstanceOf(ServerUnavailableError);
    expect(error.message).toBe(`PostgreSQL: connect ECONNREFUSED 127.0.0.1:${down.port}`);

    const wrong = new URL(provisionerUrl);
    wrong.password = 'not-the-password';
    const refusing = new PostgresProvisioner({ url: wrong.toString() });
    const refused = await rejectionOf(refusing.ensure(specFor(uniqueTenant('pgd'))));
    await refusing.close();
    expect(refused).toBeInstanceOf(ServerUnavailableError);
    expect(refused.message).toBe(`PostgreSQL: password authentication failed for user "${provisionerRole.username}"`);
  });
});
