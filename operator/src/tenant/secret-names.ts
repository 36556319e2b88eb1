/** The Secrets the operator keeps in a tenant's namespace (see `provisioning/`). */

/** Every credential generated for the tenant, the one copy the others are rendered from. */
export const CREDENTIALS_SECRET_NAME = 'infrastructure-credentials';
/** The first admin's login: keys `email` and `password`. */
export const INITIAL_ADMIN_SECRET_NAME = 'initial-admin';

/** A module's environment (the contract with the modules), mounted by its Deployment with `envFrom`. */
export function connectionsSecretName(module: string): string {
  return `${module}-connections`;
}
