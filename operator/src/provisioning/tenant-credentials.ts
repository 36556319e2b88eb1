import { randomBytes } from 'node:crypto';
import type { KubernetesObject } from '@kubernetes/client-node';
import { MODULE_MANIFEST } from '@np/modules';
import { ownedMetadata, tenantLabels } from '../tenant/labels.js';
import { CREDENTIALS_SECRET_NAME } from '../tenant/secret-names.js';
import type { TenantPlan } from '../tenant/tenant-plan.js';

/**
 * Every secret a tenant's infrastructure needs, generated once by the operator (crypto random) and
 * kept in one Secret of the tenant's namespace: the single copy the module Secrets are rendered
 * from and the provisioners are handed. Keys exist for every module of the manifest, so enabling a
 * module later needs no new credentials. The values are never logged.
 */

export type Credentials = ReadonlyMap<string, string>;

export const credentialKey = {
  amqp: (module: string) => `amqp-${module}`,
  amqpMonitor: 'amqp-monitor',
  databaseOwner: 'database-owner',
  database: (module: string) => `database-${module}`,
  s3AccessKey: 's3-access-key',
  s3SecretKey: 's3-secret-key',
  gatewayClientSecret: 'keycloak-gateway-secret',
  usersClientSecret: 'keycloak-users-secret',
  initialAdminPassword: 'initial-admin-password',
  signingKeyEncryptionKey: 'signing-key-encryption-key',
} as const;

type Generator = () => string;

/** 192 bits as base64url: printable ASCII, safe in URLs, accepted by every provisioner's account rules. */
const password: Generator = () => randomBytes(24).toString('base64url');
/** S3 access keys travel in SigV4 headers and query strings: upper-case letters and digits, 20 like AWS's. */
const accessKey: Generator = () => `NP${randomBytes(9).toString('hex').toUpperCase()}`;
/** auth's NP_SIGNING_KEY_ENCRYPTION_KEY: 256 bits, base64url. */
const key256: Generator = () => randomBytes(32).toString('base64url');

function generators(): Map<string, Generator> {
  const all = new Map<string, Generator>();
  for (const entry of MODULE_MANIFEST) {
    all.set(credentialKey.amqp(entry.name), password);
    if (entry.schema !== null) all.set(credentialKey.database(entry.name), password);
  }
  all.set(credentialKey.amqpMonitor, password);
  all.set(credentialKey.databaseOwner, password);
  all.set(credentialKey.s3AccessKey, accessKey);
  all.set(credentialKey.s3SecretKey, password);
  all.set(credentialKey.gatewayClientSecret, password);
  all.set(credentialKey.usersClientSecret, password);
  all.set(credentialKey.initialAdminPassword, password);
  all.set(credentialKey.signingKeyEncryptionKey, key256);
  return all;
}

/** The stored values, completed with fresh ones for any key missing; `added` lists the new keys. */
export function completeCredentials(stored: Credentials): { credentials: Credentials; added: string[] } {
  const credentials = new Map(stored);
  const added: string[] = [];
  for (const [key, generate] of generators()) {
    if (credentials.get(key)) continue;
    credentials.set(key, generate());
    added.push(key);
  }
  return { credentials, added };
}

/** The values of a Secret as the API server serves it (`data`, base64). */
export function secretValues(secret: KubernetesObject | undefined): Map<string, string> {
  const data = (secret as { data?: Record<string, string> } | undefined)?.data ?? {};
  return new Map(Object.entries(data).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]));
}

/** A Secret of the tenant's namespace, owned by the Tenant, its values base64-encoded as the API server keeps them. */
export function renderSecret(plan: TenantPlan, name: string, values: ReadonlyMap<string, string>, labels = tenantLabels(plan)): KubernetesObject {
  const data = Object.fromEntries([...values].sort(([a], [b]) => a.localeCompare(b)).map(([key, value]) => [key, Buffer.from(value, 'utf8').toString('base64')]));
  return { apiVersion: 'v1', kind: 'Secret', metadata: ownedMetadata(plan, name, labels), type: 'Opaque', data } as KubernetesObject;
}

export function renderCredentialsSecret(plan: TenantPlan, credentials: Credentials): KubernetesObject {
  return renderSecret(plan, CREDENTIALS_SECRET_NAME, credentials);
}

/** A credential that must be there (completeCredentials put every key in). */
export function credential(credentials: Credentials, key: string): string {
  const value = credentials.get(key);
  if (!value) throw new Error(`credential ${key} is missing`);
  return value;
}
