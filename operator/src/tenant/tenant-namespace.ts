import type { KubernetesObject } from '@kubernetes/client-node';
import type { Tenant } from '../api/tenant.js';
import { apiErrorMessage, isConflict } from '../runtime/api-errors.js';
import { needsApply, withAppliedHash, type ObjectWriter } from '../runtime/apply.js';

/** A namespace is the Tenant's when the operator created it for this very Tenant: its owner reference names the Tenant's uid. */
export function ownsNamespace(namespace: KubernetesObject, tenant: Tenant): boolean {
  return (namespace.metadata?.ownerReferences ?? []).some((reference) => reference.kind === tenant.kind && reference.uid === tenant.metadata.uid);
}

export type NamespaceOutcome = { usable: true } | { usable: false; notOwned?: string; error?: string };

/**
 * Creates the tenant's namespace, or brings the operator's own up to date, but never takes over a
 * namespace someone else made: the cache holds only namespaces with the operator's label, so one
 * missing there is created (POST, which fails on an existing name) rather than applied (which
 * would adopt it). A 409 is read back: the operator's own, just created and not cached yet, is
 * used; anything else is refused.
 */
export async function ensureNamespace(tenant: Tenant, desired: KubernetesObject, cached: KubernetesObject | undefined, writer: ObjectWriter): Promise<NamespaceOutcome> {
  const name = desired.metadata?.name ?? '';
  const notOwned = `namespace ${name} exists and was not created by the operator for this Tenant; refusing to adopt it`;
  const hashed = withAppliedHash(desired);
  try {
    if (cached) {
      if (!ownsNamespace(cached, tenant)) return { usable: false, notOwned };
      if (needsApply(hashed, cached)) await writer.apply(hashed);
      return { usable: true };
    }
    await writer.create(hashed);
    return { usable: true };
  } catch (error) {
    if (!isConflict(error) || cached) return { usable: false, error: `Namespace ${name}: ${apiErrorMessage(error)}` };
    const live = await writer.get(desired).catch(() => undefined);
    if (live && ownsNamespace(live, tenant)) return { usable: true };
    return { usable: false, notOwned };
  }
}
