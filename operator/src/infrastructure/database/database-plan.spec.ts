import { describe, expect, it } from '@jest/globals';
import { NotOwnedError } from '../provisioner.js';
import type { ClusterState, RoleState } from './catalog.js';
import { ownerComment, planCluster, planRemoval, planSchemas } from './database-plan.js';
import { assertDatabaseSpec, tenantDatabase, type DatabaseSpec } from './database-spec.js';

const password = 'p'.repeat(24);
const spec: DatabaseSpec = {
  tenant: 'acme-co',
  database: tenantDatabase('acme-co'),
  owner: { username: 'tenant_acme_co', password },
  modules: [{ module: 'users', schema: 'users', account: { username: 'tenant_acme_co_users', password } }],
};
const comment = ownerComment('acme-co');

function role(name: string, changes: Partial<RoleState> = {}): RoleState {
  return {
    name,
    comment,
    login: true,
    superuser: false,
    createdb: false,
    createrole: false,
    replication: false,
    bypassrls: false,
    connectionLimit: -1,
    expires: false,
    usable: true,
    searchPathSet: name.endsWith('_users'),
    memberOf: [],
    ...changes,
  };
}

const converged: ClusterState = {
  superuser: false,
  database: { owner: 'tenant_acme_co', comment, acl: [{ grantee: 'tenant_acme_co_users', privilege: 'CONNECT' }] },
  roles: [role('tenant_acme_co'), role('tenant_acme_co_users')],
};

describe('planCluster', () => {
  it('writes nothing for a converged tenant and checks every password with a login', () => {
    expect(planCluster(spec, converged)).toEqual({ batches: [], passwordsToCheck: [spec.owner, spec.modules[0]?.account] });
  });

  it('creates roles with their marker in one batch, then the database alone, then closes it to PUBLIC', () => {
    const { batches, passwordsToCheck } = planCluster(spec, { superuser: false, database: null, roles: [] });
    expect(passwordsToCheck).toEqual([]);
    expect(batches).toHaveLength(4);
    expect(batches[0]).toMatch(/^CREATE ROLE "tenant_acme_co" LOGIN PASSWORD 'SCRAM-SHA-256\$4096:[^']+';\nCOMMENT ON ROLE "tenant_acme_co" IS 'np-platform-operator: tenant acme-co';\nGRANT "tenant_acme_co" TO CURRENT_USER$/);
    expect(batches[0]).not.toContain(password);
    expect(batches[1]).toContain('ALTER ROLE "tenant_acme_co_users" SET search_path TO "users"');
    expect(batches[2]).toBe('CREATE DATABASE "tenant_acme_co" OWNER "tenant_acme_co"');
    expect(batches[3]).toBe(
      [
        'REVOKE ALL ON DATABASE "tenant_acme_co" FROM PUBLIC',
        `COMMENT ON DATABASE "tenant_acme_co" IS 'np-platform-operator: tenant acme-co'`,
        'GRANT CONNECT ON DATABASE "tenant_acme_co" TO "tenant_acme_co_users"',
      ].join(';\n'),
    );
  });

  it('refuses a role or a database without its marker before writing anything', () => {
    const foreignRole = { ...converged, roles: [role('tenant_acme_co', { comment: null }), role('tenant_acme_co_users')] };
    expect(() => planCluster(spec, foreignRole)).toThrow(new NotOwnedError('database', 'role tenant_acme_co'));
    const otherTenants = { ...converged, roles: [role('tenant_acme_co'), role('tenant_acme_co_users', { comment: ownerComment('acme') })] };
    expect(() => planCluster(spec, otherTenants)).toThrow(NotOwnedError);
    const foreignDatabase = { ...converged, database: { owner: 'someone', comment: null, acl: [] } };
    expect(() => planCluster(spec, foreignDatabase)).toThrow(new NotOwnedError('database', 'database tenant_acme_co'));
  });

  it('adopts its own database left without a comment by a crash (owned by its marked role)', () => {
    const crashed = { ...converged, database: { owner: 'tenant_acme_co', comment: null, acl: [] } };
    expect(planCluster(spec, crashed).batches).toEqual([
      [
        `COMMENT ON DATABASE "tenant_acme_co" IS 'np-platform-operator: tenant acme-co'`,
        'GRANT CONNECT ON DATABASE "tenant_acme_co" TO "tenant_acme_co_users"',
      ].join(';\n'),
    ]);
  });

  it('takes back what was granted by hand and repairs only the attributes that differ', () => {
    const drifted: ClusterState = {
      superuser: false,
      database: {
        owner: 'tenant_acme_co',
        comment,
        acl: [
          { grantee: null, privilege: 'CONNECT' },
          { grantee: 'tenant_other_users', privilege: 'CONNECT' },
          { grantee: 'tenant_acme_co_users', privilege: 'CONNECT' },
          { grantee: 'tenant_acme_co_users', privilege: 'TEMPORARY' },
        ],
      },
      roles: [role('tenant_acme_co', { createdb: true, connectionLimit: 0 }), role('tenant_acme_co_users', { searchPathSet: false, usable: false, memberOf: ['tenant_acme_co'] })],
    };
    expect(planCluster(spec, drifted).batches).toEqual([
      'ALTER ROLE "tenant_acme_co" NOCREATEDB CONNECTION LIMIT -1',
      [
        'GRANT "tenant_acme_co_users" TO CURRENT_USER',
        'ALTER ROLE "tenant_acme_co_users" SET search_path TO "users"',
        'REVOKE "tenant_acme_co" FROM "tenant_acme_co_users"',
      ].join(';\n'),
      [
        'REVOKE ALL ON DATABASE "tenant_acme_co" FROM PUBLIC',
        'REVOKE ALL ON DATABASE "tenant_acme_co" FROM "tenant_other_users"',
        'REVOKE TEMPORARY ON DATABASE "tenant_acme_co" FROM "tenant_acme_co_users"',
      ].join(';\n'),
    ]);
  });

  it('quotes every identifier and literal', () => {
    const odd: DatabaseSpec = { ...spec, tenant: "o'brien", owner: { username: 'own"er', password } };
    const [ownerBatch] = planCluster(odd, { superuser: true, database: null, roles: [] }).batches;
    expect(ownerBatch).toContain('CREATE ROLE "own""er" LOGIN');
    expect(ownerBatch).toContain(`IS 'np-platform-operator: tenant o''brien'`);
    expect(ownerBatch).not.toContain('GRANT');
  });
});

describe('planSchemas', () => {
  it("creates the module's schema for its role and revokes every grant to anyone but a schema's owner", () => {
    const batches = planSchemas(spec, [
      { name: 'public', owner: 'pg_database_owner', acl: [{ grantee: null, privilege: 'USAGE' }] },
      { name: 'extra', owner: 'tenant_acme_co', acl: [{ grantee: 'tenant_acme_co_users', privilege: 'USAGE' }] },
    ]);
    expect(batches).toEqual([
      [
        'CREATE SCHEMA "users" AUTHORIZATION "tenant_acme_co_users"',
        'REVOKE ALL ON SCHEMA "public" FROM PUBLIC',
        'REVOKE ALL ON SCHEMA "extra" FROM "tenant_acme_co_users"',
      ].join(';\n'),
    ]);
    expect(planSchemas(spec, [{ name: 'users', owner: 'tenant_acme_co', acl: [] }])).toEqual(['ALTER SCHEMA "users" OWNER TO "tenant_acme_co_users"']);
    expect(planSchemas(spec, [{ name: 'users', owner: 'tenant_acme_co_users', acl: [] }])).toEqual([]);
  });
});

describe('planRemoval', () => {
  it('drops its database and roles, and names what it leaves', () => {
    expect(planRemoval(spec, converged)).toEqual({ batches: ['DROP DATABASE "tenant_acme_co" WITH (FORCE)', 'DROP ROLE "tenant_acme_co", "tenant_acme_co_users"'], notOwned: [] });
    const foreign = { ...converged, database: { owner: 'x', comment: null, acl: [] }, roles: [role('tenant_acme_co', { comment: 'hand-made' })] };
    expect(planRemoval(spec, foreign)).toEqual({ batches: [], notOwned: ['database tenant_acme_co', 'role tenant_acme_co'] });
  });
});

describe('assertDatabaseSpec', () => {
  it('refuses names PostgreSQL would truncate or reserves, and passwords outside printable ASCII', () => {
    expect(() => assertDatabaseSpec({ ...spec, database: 'x'.repeat(64) })).toThrow('1 to 63 bytes');
    expect(() => assertDatabaseSpec({ ...spec, owner: { username: 'pg_owner', password } })).toThrow('reserved');
    expect(() => assertDatabaseSpec({ ...spec, owner: { username: 'o', password: 'short' } })).toThrow('printable ASCII');
    expect(() => assertDatabaseSpec(spec)).not.toThrow();
  });
});
