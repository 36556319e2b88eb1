export { PostgresProvisioner, type PostgresProvisionerOptions } from './postgres-provisioner.js';
export { tenantDatabase, type DatabaseModuleAccount, type DatabaseSpec } from './database-spec.js';
export { ownerComment } from './database-plan.js';
