import type { ModuleName } from '@np/modules';
import { assertAccount, assertDistinct } from '../account-rules.js';
import type { Account } from '../provisioner.js';

/** One module with tables: its schema (the manifest's `schema`) and the role it logs in as. */
export interface DatabaseModuleAccount {
  module: ModuleName;
  schema: string;
  account: Account;
}

export interface DatabaseSpec {
  tenant: string;
  /** `tenant_<name with - as _>` (see `tenantDatabase`). */
  database: string;
  /** The role that owns the database (for the tenant's own administration, not for modules). */
  owner: Account;
  modules: readonly DatabaseModuleAccount[];
}

/** PostgreSQL truncates longer names silently; refusing them keeps a name from meaning two things. */
const MAX_IDENTIFIER_BYTES = 63;

export function tenantDatabase(tenant: string): string {
  return `tenant_${tenant.replaceAll('-', '_')}`;
}

/** A spec a caller built wrong is a programming error, not a server's refusal. */
export function assertDatabaseSpec(spec: DatabaseSpec): void {
  const roles = [spec.owner.username, ...spec.modules.map((entry) => entry.account.username)];
  for (const name of [spec.database, ...roles, ...spec.modules.map((entry) => entry.schema)]) {
    const bytes = Buffer.byteLength(name, 'utf8');
    if (bytes === 0 || bytes > MAX_IDENTIFIER_BYTES) throw new Error(`DatabaseSpec name ${JSON.stringify(name)} must be 1 to ${MAX_IDENTIFIER_BYTES} bytes`);
    if (name.startsWith('pg_')) throw new Error(`DatabaseSpec name ${JSON.stringify(name)} is reserved (pg_)`);
  }
  assertDistinct(roles, 'DatabaseSpec roles');
  assertDistinct(spec.modules.map((entry) => entry.schema), 'DatabaseSpec schemas');
  assertAccount(spec.owner, 'DatabaseSpec owner');
  for (const entry of spec.modules) assertAccount(entry.account, `DatabaseSpec module ${entry.module}`);
}
