import { Agent, fetch as undiciFetch } from 'undici';
import { ApiClient } from './http-client.js';

/**
 * A client for one tenant of the cluster shape: requests carry the tenant's ingress host in the URL
 * (so in `Host`, which the Fetch standard lets nobody set by hand) while every connection goes to
 * the ingress controller at `ingressUrl` (NP_INGRESS_URL, on loopback).
 */
export function ingressClient(ingressUrl: string, host: string): ApiClient {
  const ingress = new URL(ingressUrl);
  const agent = new Agent({
    connect: {
      lookup: (_hostname, _options, callback) => callback(null, [{ address: ingress.hostname, family: 4 }]),
    },
  });
  const viaIngress = ((input: string, init?: RequestInit) =>
    undiciFetch(input, { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher: agent })) as unknown as typeof fetch;
  return new ApiClient(`http://${host}:${ingress.port}`, { fetch: viaIngress });
}
