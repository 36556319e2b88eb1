import { createHash } from 'node:crypto';
import { ApiException, KubernetesObjectApi, PatchStrategy, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import type { Counter } from 'prom-client';

/** The hash of what was last applied, so a field the operator stopped setting still triggers an apply. */
export const APPLIED_HASH_ANNOTATION = 'platform.np.dev/applied-hash';

/** Returns the object with an annotation holding the hash of its own content. */
export function withAppliedHash<T extends KubernetesObject>(object: T): T {
  const hash = createHash('sha256').update(JSON.stringify(object)).digest('hex').slice(0, 20);
  return {
    ...object,
    metadata: { ...object.metadata, annotations: { ...object.metadata?.annotations, [APPLIED_HASH_ANNOTATION]: hash } },
  };
}

/**
 * Whether the live object differs from what should be applied: missing, applied from a different
 * desired state, or edited by hand in a field the operator sets (drift). Fields the API server or
 * other controllers add (defaults, status, the HPA's replica count) are not differences.
 */
export function needsApply(desired: KubernetesObject, live: KubernetesObject | undefined): boolean {
  if (!live) return true;
  const wanted = desired.metadata?.annotations?.[APPLIED_HASH_ANNOTATION];
  if (wanted !== live.metadata?.annotations?.[APPLIED_HASH_ANNOTATION]) return true;
  return !isSubset(desired, live);
}

/** Every field of `desired` is present in `live` with the same value; lists must match element by element. */
export function isSubset(desired: unknown, live: unknown): boolean {
  if (desired === live) return true;
  if (Array.isArray(desired)) {
    return Array.isArray(live) && desired.length === live.length && desired.every((item, index) => isSubset(item, live[index]));
  }
  if (isRecord(desired)) {
    if (!isRecord(live)) return false;
    return Object.entries(desired).every(([key, value]) => value === undefined || isSubset(value, live[key]));
  }
  return sameScalar(desired, live);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** Numbers may come back as strings in int-or-string fields and quantities. */
function sameScalar(desired: unknown, live: unknown): boolean {
  if (typeof desired === 'number' && typeof live === 'string') return String(desired) === live;
  return false;
}

export type ApiVerb = 'apply' | 'delete' | 'patch' | 'create';

/**
 * Writes to the API server: server-side apply with one field manager (forced, since the operator
 * is the owner of what it declares), deletes that ignore "already gone". Every call is counted.
 */
export class ObjectWriter {
  private readonly objects: KubernetesObjectApi;

  constructor(
    kubeConfig: KubeConfig,
    private readonly fieldManager: string,
    private readonly requests?: Counter<'verb' | 'kind'>,
  ) {
    this.objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  }

  async apply<T extends KubernetesObject>(object: T): Promise<T> {
    this.count('apply', object);
    return this.objects.patch(object, undefined, undefined, this.fieldManager, true, PatchStrategy.ServerSideApply);
  }

  /** Deletes in the background (dependents are collected by the garbage collector). */
  async delete(object: KubernetesObject): Promise<void> {
    this.count('delete', object);
    try {
      await this.objects.delete(object, undefined, undefined, undefined, undefined, 'Background');
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  private count(verb: ApiVerb, object: KubernetesObject): void {
    this.requests?.inc({ verb, kind: object.kind ?? 'unknown' });
  }
}

export function isNotFound(error: unknown): boolean {
  return error instanceof ApiException && error.code === 404;
}

export function isConflict(error: unknown): boolean {
  return error instanceof ApiException && error.code === 409;
}
