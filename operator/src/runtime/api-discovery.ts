import { ApiException, type KubeConfig } from '@kubernetes/client-node';
import { groupVersionPath, rawRequest } from './raw-api.js';

interface ApiResourceList {
  resources?: { kind?: string }[];
}

/**
 * Whether the API server serves a kind (an optional add-on such as KEDA): its group version is
 * listed and names the kind. A 404 means not installed; any other failure is thrown, so a
 * passing outage is not mistaken for a missing add-on.
 */
export async function servesKind(kubeConfig: KubeConfig, apiVersion: string, kind: string): Promise<boolean> {
  try {
    const list = await rawRequest<ApiResourceList>(kubeConfig, { method: 'GET', path: groupVersionPath(apiVersion) });
    return (list.resources ?? []).some((resource) => resource.kind === kind);
  } catch (error) {
    if (error instanceof ApiException && error.code === 404) return false;
    throw error;
  }
}
