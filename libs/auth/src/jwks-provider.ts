import type { JSONWebKeySet } from 'jose';

/** Where the issuer's public keys come from: the auth module over the bus, or an HTTP `jwks_uri`. */
export type JwksProvider = () => Promise<JSONWebKeySet>;

/** Reads a JWKS over HTTP, e.g. a Keycloak realm's `.../protocol/openid-connect/certs`. */
export function httpJwksProvider(url: string, timeoutMs = 5000): JwksProvider {
  return async () => {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) throw new Error(`JWKS request to ${url} answered ${response.status}`);
    return (await response.json()) as JSONWebKeySet;
  };
}
