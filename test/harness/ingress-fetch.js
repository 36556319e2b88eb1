// A fetch for the cluster shape's ingress: plain JavaScript so the node suite and the benchmark
// both load it.
import { Agent, fetch as undiciFetch } from 'undici';

/**
 * Sends every request to the ingress controller at `ingressUrl` (NP_INGRESS_URL, on loopback),
 * whatever host name its URL has: requests to `http://<tenant host>:<port>/…` then carry the
 * tenant's host in `Host`, which the Fetch standard lets nobody set by hand.
 * @param {string} ingressUrl
 * @returns {typeof fetch}
 */
export function ingressFetch(ingressUrl) {
  const ingress = new URL(ingressUrl);
  const agent = new Agent({
    connect: { lookup: (_hostname, _options, callback) => callback(null, [{ address: ingress.hostname, family: 4 }]) },
  });
  return /** @type {typeof fetch} */ (/** @type {unknown} */ ((input, init) => undiciFetch(input, { ...init, dispatcher: agent })));
}
