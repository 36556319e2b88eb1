import { z } from 'zod';

/** One entry of an ACL without its owner's own: `grantee` null is PUBLIC. */
const aclEntry = z.object({ grantee: z.string().nullable(), privilege: z.string() });
export type AclEntry = z.output<typeof aclEntry>;

const roleState = z.object({
  name: z.string(),
  comment: z.string().nullable(),
  login: z.boolean(),
  superuser: z.boolean(),
  createdb: z.boolean(),
  createrole: z.boolean(),
  replication: z.boolean(),
  bypassrls: z.boolean(),
  /** Connection limit (-1: none) and password expiry: either can keep the role from logging in. */
  connectionLimit: z.number(),
  expires: z.boolean(),
  /** Whether the provisioner has the role's privileges (membership with INHERIT), which owning and dropping its objects needs. */
  usable: z.boolean(),
  /** Whether `search_path` is set, for every database, to exactly the schema asked for. */
  searchPathSet: z.boolean(),
  memberOf: z.array(z.string()),
});
export type RoleState = z.output<typeof roleState>;

const databaseState = z.object({ owner: z.string(), comment: z.string().nullable(), acl: z.array(aclEntry) });
export type DatabaseState = z.output<typeof databaseState>;

export const clusterStateSchema = z.object({
  superuser: z.boolean(),
  database: databaseState.nullable(),
  roles: z.array(roleState),
});
export type ClusterState = z.output<typeof clusterStateSchema>;

const ACL = (column: string, kind: string, owner: string) => `(
  SELECT coalesce(json_agg(json_build_object(
           'grantee', CASE WHEN a.grantee = 0 THEN NULL ELSE pg_get_userbyid(a.grantee) END,
           'privilege', a.privilege_type)), '[]'::json)
  FROM aclexplode(coalesce(${column}, acldefault('${kind}', ${owner}))) a
  WHERE a.grantee <> ${owner})`;

/**
 * Everything the cluster-wide part of a tenant is made of, in one SELECT: the database (owner,
 * comment, who else holds which privilege on it) and each role asked for ($2: `[{name, schema}]`,
 * schema null for the owner).
 */
export const CLUSTER_STATE_SQL = `
WITH wanted AS (SELECT * FROM json_to_recordset($2::json) AS w(name text, schema text))
SELECT
  (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser,
  (SELECT json_build_object(
            'owner', pg_get_userbyid(d.datdba),
            'comment', shobj_description(d.oid, 'pg_database'),
            'acl', ${ACL('d.datacl', 'd', 'd.datdba')})
   FROM pg_database d WHERE d.datname = $1) AS database,
  (SELECT coalesce(json_agg(json_build_object(
            'name', r.rolname,
            'comment', shobj_description(r.oid, 'pg_authid'),
            'login', r.rolcanlogin, 'superuser', r.rolsuper, 'createdb', r.rolcreatedb,
            'createrole', r.rolcreaterole, 'replication', r.rolreplication, 'bypassrls', r.rolbypassrls,
            'connectionLimit', r.rolconnlimit,
            'expires', coalesce(r.rolvaliduntil <> 'infinity', false),
            'usable', pg_has_role(current_user, r.oid, 'USAGE'),
            'searchPathSet', w.schema IS NOT NULL AND EXISTS (
               SELECT 1 FROM pg_db_role_setting s
               WHERE s.setrole = r.oid AND s.setdatabase = 0 AND 'search_path=' || quote_ident(w.schema) = ANY (s.setconfig)),
            'memberOf', (SELECT coalesce(json_agg(pg_get_userbyid(m.roleid)), '[]'::json) FROM pg_auth_members m WHERE m.member = r.oid))),
          '[]'::json)
   FROM pg_roles r JOIN wanted w ON w.name = r.rolname) AS roles`;

const schemaState = z.object({ name: z.string(), owner: z.string(), acl: z.array(aclEntry) });
export type SchemaState = z.output<typeof schemaState>;
export const schemasSchema = z.object({ schemas: z.array(schemaState) });

/** Every schema of the tenant's database but PostgreSQL's own, with its owner and who else holds which privilege on it. */
export const SCHEMAS_SQL = `
SELECT coalesce(json_agg(json_build_object(
         'name', n.nspname, 'owner', pg_get_userbyid(n.nspowner),
         'acl', ${ACL('n.nspacl', 'n', 'n.nspowner')}) ORDER BY n.nspname), '[]'::json) AS schemas
FROM pg_namespace n
WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'`;
