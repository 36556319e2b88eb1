import { ApiClient } from './http-client.js';
import { ingressFetch } from './ingress-fetch.js';

/**
 * A client for one tenant of the cluster shape: its URL names the tenant's ingress host, and every
 * connection goes to the ingress controller at `ingressUrl` (see ingress-fetch.js).
 */
export function ingressClient(ingressUrl: string, host: string): ApiClient {
  return new ApiClient(`http://${host}:${new URL(ingressUrl).port}`, { fetch: ingressFetch(ingressUrl) });
}
