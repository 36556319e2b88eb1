import pg from 'pg';
import { NotOwnedError, OWNER_MARKER, type Account } from '../provisioner.js';
import type { AclEntry, ClusterState, RoleState, SchemaState } from './catalog.js';
import type { DatabaseSpec } from './database-spec.js';
import { scramSha256Verifier } from './scram-verifier.js';

const ident = (name: string): string => pg.escapeIdentifier(name);
const literal = (text: string): string => pg.escapeLiteral(text);
const grantee = (name: string | null): string => (name === null ? 'PUBLIC' : ident(name));

/** What every object of a tenant carries: the marker and the tenant it belongs to. */
export function ownerComment(tenant: string): string {
  return `${OWNER_MARKER}: tenant ${tenant}`;
}

/**
 * Writes, in order; each entry is sent as one request (several statements in one simple query
 * run as one transaction, so a role is never left without its marker). `CREATE DATABASE` cannot
 * run in a transaction and is always alone.
 */
export type Batch = string;

export interface ClusterPlan {
  batches: Batch[];
  /** Roles that existed already and whose password was not set now: a login tells whether it is still right. */
  passwordsToCheck: Account[];
}

/** Roles first (the database needs its owner), then the database and who may connect to it. */
export function planCluster(spec: DatabaseSpec, state: ClusterState): ClusterPlan {
  const comment = ownerComment(spec.tenant);
  const role = (name: string) => state.roles.find((candidate) => candidate.name === name);
  const batches: Batch[] = [];
  const passwordsToCheck: Account[] = [];
  const wanted = [{ account: spec.owner, schema: undefined }, ...spec.modules.map((entry) => ({ account: entry.account, schema: entry.schema }))];
  for (const { account, schema } of wanted) {
    const current = role(account.username);
    if (current === undefined) {
      batches.push(createRole(account, comment, schema, state.superuser));
      continue;
    }
    if (current.comment !== comment) throw new NotOwnedError('database', `role ${account.username}`);
    const repairs = repairRole(current, schema, state.superuser);
    if (repairs.length > 0) batches.push(repairs.join(';\n'));
    passwordsToCheck.push(account);
  }
  batches.push(...planDatabase(spec, state, comment));
  return { batches, passwordsToCheck };
}

function createRole(account: Account, comment: string, schema: string | undefined, superuser: boolean): Batch {
  const name = ident(account.username);
  return [
    `CREATE ROLE ${name} LOGIN PASSWORD ${literal(scramSha256Verifier(account.password))}`,
    `COMMENT ON ROLE ${name} IS ${literal(comment)}`,
    // The provisioner acts through the role to own the database, create schemas for it and drop it later.
    ...(superuser ? [] : [`GRANT ${name} TO CURRENT_USER`]),
    ...(schema === undefined ? [] : [`ALTER ROLE ${name} SET search_path TO ${ident(schema)}`]),
  ].join(';\n');
}

function repairRole(current: RoleState, schema: string | undefined, superuser: boolean): string[] {
  const name = ident(current.name);
  const statements: string[] = [];
  // Only the attributes that differ: naming SUPERUSER, REPLICATION or BYPASSRLS at all needs a superuser.
  const attributes = [
    current.login ? '' : 'LOGIN',
    current.superuser ? 'NOSUPERUSER' : '',
    current.createdb ? 'NOCREATEDB' : '',
    current.createrole ? 'NOCREATEROLE' : '',
    current.replication ? 'NOREPLICATION' : '',
    current.bypassrls ? 'NOBYPASSRLS' : '',
    current.connectionLimit === -1 ? '' : 'CONNECTION LIMIT -1',
    current.expires ? "VALID UNTIL 'infinity'" : '',
  ].filter((clause) => clause !== '');
  if (attributes.length > 0) statements.push(`ALTER ROLE ${name} ${attributes.join(' ')}`);
  if (!current.usable && !superuser) statements.push(`GRANT ${name} TO CURRENT_USER`);
  if (schema !== undefined && !current.searchPathSet) statements.push(`ALTER ROLE ${name} SET search_path TO ${ident(schema)}`);
  // A role granted to a module role would give it that role's privileges (another module's schema, the owner's database).
  for (const group of current.memberOf) statements.push(`REVOKE ${ident(group)} FROM ${name}`);
  return statements;
}

function planDatabase(spec: DatabaseSpec, state: ClusterState, comment: string): Batch[] {
  const database = ident(spec.database);
  const modules = spec.modules.map((entry) => entry.account.username);
  const connect = modules.map((role) => `GRANT CONNECT ON DATABASE ${database} TO ${ident(role)}`);
  const current = state.database;
  if (current === null) {
    return [
      `CREATE DATABASE ${database} OWNER ${ident(spec.owner.username)}`,
      [`REVOKE ALL ON DATABASE ${database} FROM PUBLIC`, `COMMENT ON DATABASE ${database} IS ${literal(comment)}`, ...connect].join(';\n'),
    ];
  }
  if (!databaseOwned(spec, state, comment)) throw new NotOwnedError('database', `database ${spec.database}`);
  const statements: string[] = [];
  if (current.comment !== comment) statements.push(`COMMENT ON DATABASE ${database} IS ${literal(comment)}`);
  if (current.owner !== spec.owner.username) statements.push(`ALTER DATABASE ${database} OWNER TO ${ident(spec.owner.username)}`);
  for (const [who, privileges] of byGrantee(current.acl)) {
    if (who === spec.owner.username) continue;
    if (who !== null && modules.includes(who)) {
      const extra = privileges.filter((privilege) => privilege !== 'CONNECT');
      if (extra.length > 0) statements.push(`REVOKE ${extra.join(', ')} ON DATABASE ${database} FROM ${ident(who)}`);
    } else {
      statements.push(`REVOKE ALL ON DATABASE ${database} FROM ${grantee(who)}`);
    }
  }
  for (const role of modules) {
    if (!current.acl.some((entry) => entry.grantee === role && entry.privilege === 'CONNECT')) {
      statements.push(`GRANT CONNECT ON DATABASE ${database} TO ${ident(role)}`);
    }
  }
  return statements.length > 0 ? [statements.join(';\n')] : [];
}

/**
 * Inside the tenant's database: each module's schema exists and is owned by the module's role,
 * and no schema grants anything to anyone but its owner (PUBLIC's USAGE on `public` included),
 * so a module reaches its own schema and nothing else.
 */
export function planSchemas(spec: DatabaseSpec, schemas: readonly SchemaState[]): Batch[] {
  const statements: string[] = [];
  for (const { schema, account } of spec.modules) {
    const current = schemas.find((candidate) => candidate.name === schema);
    if (current === undefined) statements.push(`CREATE SCHEMA ${ident(schema)} AUTHORIZATION ${ident(account.username)}`);
    else if (current.owner !== account.username) statements.push(`ALTER SCHEMA ${ident(schema)} OWNER TO ${ident(account.username)}`);
  }
  for (const current of schemas) {
    for (const who of byGrantee(current.acl).keys()) statements.push(`REVOKE ALL ON SCHEMA ${ident(current.name)} FROM ${grantee(who)}`);
  }
  return statements.length > 0 ? [statements.join(';\n')] : [];
}

export function setPassword(account: Account): Batch {
  return `ALTER ROLE ${ident(account.username)} PASSWORD ${literal(scramSha256Verifier(account.password))}`;
}

/** What `remove` drops: the database if it is the tenant's, then the tenant's roles; `notOwned` names what it leaves. */
export function planRemoval(spec: DatabaseSpec, state: ClusterState): { batches: Batch[]; notOwned: string[] } {
  const comment = ownerComment(spec.tenant);
  const batches: Batch[] = [];
  const notOwned: string[] = [];
  if (state.database !== null) {
    if (databaseOwned(spec, state, comment)) batches.push(`DROP DATABASE ${ident(spec.database)} WITH (FORCE)`);
    else notOwned.push(`database ${spec.database}`);
  }
  const roles: string[] = [];
  for (const role of state.roles) {
    if (role.comment === comment) roles.push(ident(role.name));
    else notOwned.push(`role ${role.name}`);
  }
  if (roles.length > 0) batches.push(`DROP ROLE ${roles.join(', ')}`);
  return { batches, notOwned };
}

/** Marked as the tenant's; or, created just before a crash and not commented yet, owned by the tenant's own (marked) role. */
function databaseOwned(spec: DatabaseSpec, state: ClusterState, comment: string): boolean {
  const database = state.database;
  if (database === null) return false;
  if (database.comment === comment) return true;
  const ownerRole = state.roles.find((role) => role.name === spec.owner.username);
  return database.comment === null && database.owner === spec.owner.username && ownerRole?.comment === comment;
}

function byGrantee(acl: readonly AclEntry[]): Map<string | null, string[]> {
  const grouped = new Map<string | null, string[]>();
  for (const entry of acl) grouped.set(entry.grantee, [...(grouped.get(entry.grantee) ?? []), entry.privilege]);
  return grouped;
}
