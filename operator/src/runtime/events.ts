import { randomBytes } from 'node:crypto';
import { CoreV1Api, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from '@np/observability';

export type EventType = 'Normal' | 'Warning';

/** Events of cluster-scoped objects are kept here, where `kubectl describe` finds them. */
const CLUSTER_SCOPED_EVENTS_NAMESPACE = 'default';

/**
 * Records what a person should see in `kubectl describe`. Losing an Event must never fail a
 * reconcile, so errors are logged and swallowed.
 */
export class EventRecorder {
  private readonly core: CoreV1Api;

  constructor(
    kubeConfig: KubeConfig,
    private readonly component: string,
    private readonly logger: Logger,
  ) {
    this.core = kubeConfig.makeApiClient(CoreV1Api);
  }

  async record(object: KubernetesObject, type: EventType, reason: string, message: string): Promise<void> {
    const namespace = object.metadata?.namespace ?? CLUSTER_SCOPED_EVENTS_NAMESPACE;
    const now = new Date();
    try {
      await this.core.createNamespacedEvent({
        namespace,
        body: {
          metadata: { name: `${object.metadata?.name ?? 'object'}.${randomBytes(8).toString('hex')}`, namespace },
          involvedObject: {
            apiVersion: object.apiVersion,
            kind: object.kind,
            name: object.metadata?.name,
            namespace: object.metadata?.namespace,
            uid: object.metadata?.uid,
            resourceVersion: object.metadata?.resourceVersion,
          },
          type,
          reason,
          message,
          source: { component: this.component },
          reportingComponent: this.component,
          reportingInstance: this.component,
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
        },
      });
    } catch (error) {
      this.logger.warn({ err: error, reason }, 'could not record an event');
    }
  }
}
