import type { KubernetesObject } from '@kubernetes/client-node';
import { isConflict } from '../runtime/api-errors.js';
import type { ObjectWriter } from '../runtime/apply.js';
import type { SharedInformer } from '../runtime/informer.js';
import { TENANT_LABEL } from '../tenant/labels.js';
import type { TenantPlan } from '../tenant/tenant-plan.js';
import { CREDENTIALS_SECRET_NAME } from '../tenant/secret-names.js';
import { completeCredentials, renderCredentialsSecret, secretValues, type Credentials } from './tenant-credentials.js';

/**
 * The tenant's generated credentials, read from the Secret cache and written so that a value is
 * never generated twice: the Secret is created with a POST (a second create, from a reconcile
 * whose cache had not seen the first yet, gets 409 and reads the stored values back), and keys are
 * added with the cached resourceVersion as a precondition (a stale cache gets 409 and retries).
 * Without this, a reconcile racing its own cache would hand the servers new passwords, and the
 * initial admin's password, set once in Keycloak, would no longer be the one in its Secret.
 */
export async function ensureCredentials(plan: TenantPlan, secrets: SharedInformer, writer: ObjectWriter, operatorNamespace: string): Promise<Credentials> {
  let stored: KubernetesObject | undefined = secrets.get(CREDENTIALS_SECRET_NAME, plan.namespace);
  if (!stored) {
    const retained = await readRetained(plan, writer, operatorNamespace);
    const { credentials } = completeCredentials(retained ? secretValues(retained) : new Map());
    try {
      await writer.create(renderCredentialsSecret(plan, credentials));
      // Adopted: the tenant's namespace holds them again, the waiting copy goes.
      if (retained) await writer.delete(retained);
      return credentials;
    } catch (error) {
      if (!isConflict(error)) throw error;
      stored = await writer.get(renderCredentialsSecret(plan, credentials));
      if (!stored) throw new Error(`Secret ${CREDENTIALS_SECRET_NAME} was there and is gone; trying again`, { cause: error });
    }
  }
  if (stored.metadata?.labels?.[TENANT_LABEL] !== plan.name) {
    throw new Error(`Secret ${CREDENTIALS_SECRET_NAME} in ${plan.namespace} was not written by the operator for tenant ${plan.name}`);
  }
  const { credentials, added } = completeCredentials(secretValues(stored));
  if (added.length === 0) return credentials;
  const update = renderCredentialsSecret(plan, credentials);
  await writer.apply({ ...update, metadata: { ...update.metadata, resourceVersion: stored.metadata.resourceVersion } });
  return credentials;
}

/**
 * With `deletionPolicy: Retain` the tenant's data outlives its namespace, and so must the
 * credentials that open it (the key its signing keys are sealed with, the first admin's password
 * in the kept realm): the finalizer copies them to the operator's namespace, and a Tenant of the
 * same name created later takes them back instead of generating new ones.
 */
export function retainedCredentialsName(plan: TenantPlan): string {
  return `retained-${plan.name}-credentials`;
}

export function renderRetainedCredentials(plan: TenantPlan, values: ReadonlyMap<string, string>, operatorNamespace: string): KubernetesObject {
  const secret = renderCredentialsSecret(plan, values);
  // No owner: it must outlive the Tenant. The tenant label ties it to the name it is kept for.
  const metadata = { ...secret.metadata, name: retainedCredentialsName(plan), namespace: operatorNamespace };
  delete metadata.ownerReferences;
  return { ...secret, metadata };
}

async function readRetained(plan: TenantPlan, writer: ObjectWriter, operatorNamespace: string): Promise<KubernetesObject | undefined> {
  const retained = await writer.get(renderRetainedCredentials(plan, new Map(), operatorNamespace));
  return retained?.metadata?.labels?.[TENANT_LABEL] === plan.name ? retained : undefined;
}
