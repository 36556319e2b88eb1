import { createHash } from 'node:crypto';
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import type { Counter } from 'prom-client';
import { isNotFound } from './api-errors.js';
import { kindKey, objectPath, rawRequest, type ResourceLocation } from './raw-api.js';

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
    // The API server drops empty maps (`annotations: {}`), so an empty desired map matches nothing.
    if (live === undefined && Object.keys(desired).length === 0) return true;
    if (!isRecord(live)) return false;
    return Object.entries(desired).every(([key, value]) => value === undefined || isSubset(value, live[key]));
  }
  return sameScalar(desired, live);
}

/** The path of the first desired field the live object does not match, for logs ("why was this applied?"). */
export function firstDifference(desired: unknown, live: unknown, path = ''): string | undefined {
  if (isSubset(desired, live)) return undefined;
  if (Array.isArray(desired) && Array.isArray(live) && desired.length === live.length) {
    for (const [index, item] of desired.entries()) {
      const found = firstDifference(item, live[index], `${path}[${index}]`);
      if (found) return found;
    }
  }
  if (isRecord(desired) && isRecord(live)) {
    for (const [key, value] of Object.entries(desired)) {
      const found = firstDifference(value, live[key], path ? `${path}.${key}` : key);
      if (found) return found;
    }
  }
  return `${path || '(root)'}: want ${JSON.stringify(desired)?.slice(0, 200)}, have ${JSON.stringify(live)?.slice(0, 200)}`;
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
  private readonly locations: Map<string, ResourceLocation>;

  constructor(
    private readonly kubeConfig: KubeConfig,
    private readonly fieldManager: string,
    kinds: readonly (ResourceLocation & { kind: string })[],
    private readonly requests?: Counter<'verb' | 'kind'>,
  ) {
    this.locations = new Map(kinds.map((kind) => [kindKey(kind), kind]));
  }

  async apply<T extends KubernetesObject>(object: T): Promise<T> {
    this.count('apply', object);
    return rawRequest<T>(this.kubeConfig, {
      method: 'PATCH',
      path: this.pathOf(object),
      query: { fieldManager: this.fieldManager, force: 'true' },
      body: object,
      contentType: 'application/apply-patch+yaml',
    });
  }

  /**
   * Creates the object, failing with 409 when it exists: for what must never be taken over
   * (a namespace someone else made) or written twice (generated credentials).
   */
  async create<T extends KubernetesObject>(object: T): Promise<T> {
    this.count('create', object);
    const location = this.locationOf(object);
    const collection = objectPath(location, { ...object, metadata: { ...object.metadata, name: '' } }).replace(/\/$/, '');
    return rawRequest<T>(this.kubeConfig, { method: 'POST', path: collection, query: { fieldManager: this.fieldManager }, body: object });
  }

  /**
   * Reads the object from the API server, not a cache (undefined when it does not exist): only
   * after a create found the object there while the cache did not have it yet.
   */
  async get<T extends KubernetesObject>(object: KubernetesObject): Promise<T | undefined> {
    try {
      return await rawRequest<T>(this.kubeConfig, { method: 'GET', path: this.pathOf(object) });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Deletes in the background (dependents are collected by the garbage collector). */
  async delete(object: KubernetesObject): Promise<void> {
    this.count('delete', object);
    try {
      await rawRequest(this.kubeConfig, { method: 'DELETE', path: this.pathOf(object), body: { propagationPolicy: 'Background' } });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  private pathOf(object: KubernetesObject): string {
    return objectPath(this.locationOf(object), object);
  }

  private locationOf(object: KubernetesObject): ResourceLocation {
    const location = this.locations.get(kindKey(object));
    if (!location) throw new Error(`no API location known for ${kindKey(object)}`);
    return location;
  }

  private count(verb: ApiVerb, object: KubernetesObject): void {
    this.requests?.inc({ verb, kind: object.kind ?? 'unknown' });
  }
}
