import {
  makeInformer,
  type Informer,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  type ObjectCache,
} from '@kubernetes/client-node';
import type { Logger } from '@np/observability';
import { groupVersionPath, rawRequest } from './raw-api.js';

/** A resource the controller watches: where it lives in the API and which objects to keep. */
export interface WatchedKind {
  apiVersion: string;
  kind: string;
  /** Lower-case plural, as in the URL. */
  plural: string;
  namespaced: boolean;
  labelSelector?: string;
}

const RESTART_DELAY_MS = 1000;

/**
 * One list+watch per kind with a local cache, shared by every reader in the process. Handlers only
 * enqueue keys (a throwing handler would crash the process), and a watch that fails is restarted:
 * client-node stops an informer on any watch error.
 */
export class SharedInformer<T extends KubernetesObject = KubernetesObject> {
  private readonly informer: Informer<T> & ObjectCache<T>;
  private stopped = false;

  constructor(
    kubeConfig: KubeConfig,
    readonly kind: WatchedKind,
    private readonly logger: Logger,
  ) {
    const path = collectionPath(kind);
    const list = async () => withTypeMeta(await listAsServed<T>(kubeConfig, path, kind.labelSelector), kind);
    this.informer = makeInformer<T>(kubeConfig, path, list, kind.labelSelector);
    // Registered first, so it runs before any other handler sees the object.
    this.informer.on('add', stripManagedFields);
    this.informer.on('update', stripManagedFields);
    this.informer.on('error', (error?: unknown) => this.restartAfterError(error));
  }

  /** Calls `handler` for every add, update and delete, including those of the first list. */
  onChange(handler: (object: T) => void): void {
    const safe = (object: T) => {
      try {
        handler(object);
      } catch (error) {
        this.logger.error({ err: error, kind: this.kind.kind }, 'informer handler failed');
      }
    };
    this.informer.on('add', safe);
    this.informer.on('update', safe);
    this.informer.on('delete', safe);
  }

  /** Resolves once the first list is in the cache ("synced"). */
  async start(): Promise<void> {
    this.stopped = false;
    await this.informer.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.informer.stop();
  }

  get(name: string, namespace?: string): T | undefined {
    return this.informer.get(name, namespace);
  }

  list(namespace?: string): readonly T[] {
    return this.informer.list(namespace);
  }

  private restartAfterError(error: unknown): void {
    if (this.stopped) return;
    this.logger.warn({ err: error, kind: this.kind.kind }, 'watch failed; restarting the informer');
    setTimeout(() => {
      if (this.stopped) return;
      this.informer.start().catch((restartError: unknown) => this.restartAfterError(restartError));
    }, RESTART_DELAY_MS).unref();
  }
}

/**
 * Items of a list carry no apiVersion/kind (the list does), while watch events do. Filling them in
 * keeps one shape in the cache, so comparing a cached object with a desired one sees no false
 * difference after a restart, when everything comes from the first list.
 */
function withTypeMeta<T extends KubernetesObject>(list: KubernetesListObject<T>, kind: WatchedKind): KubernetesListObject<T> {
  return { ...list, items: list.items.map((item) => stripManagedFields({ ...item, apiVersion: kind.apiVersion, kind: kind.kind })) };
}

/**
 * The cache keeps objects without `metadata.managedFields` (as controller-runtime's default cache
 * transform does): the operator never reads them, and they are often the larger part of an
 * object. The informer stores the very object its handlers receive, so removing them here removes
 * them from the cache.
 */
function stripManagedFields<T extends KubernetesObject>(object: T): T {
  if (object.metadata?.managedFields) delete object.metadata.managedFields;
  return object;
}

/** `/api/v1/namespaces`, `/apis/apps/v1/deployments`: the list path across all namespaces. */
export function collectionPath(kind: Pick<WatchedKind, 'apiVersion' | 'plural'>): string {
  return `${groupVersionPath(kind.apiVersion)}/${kind.plural}`;
}

/**
 * Lists objects exactly as the API server serves them, the same plain JSON the watch delivers, so
 * the cache never holds two shapes of one object (client-node's typed lists rename fields).
 */
export function listAsServed<T extends KubernetesObject>(
  kubeConfig: KubeConfig,
  path: string,
  labelSelector?: string,
): Promise<KubernetesListObject<T>> {
  return rawRequest<KubernetesListObject<T>>(kubeConfig, { method: 'GET', path, query: { labelSelector } });
}
