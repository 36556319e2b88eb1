import { lookup } from 'node:dns/promises';
import { type LookupAddress, lookup as lookupCallback } from 'node:dns';
import { isIP } from 'node:net';
import type { AllowedHosts } from './address-policy.js';

/** Every address `host` resolves to (an address literal is its own). */
export async function addressesOf(host: string): Promise<string[]> {
  const plain = host.startsWith('[') ? host.slice(1, -1) : host;
  if (isIP(plain) !== 0) return [plain];
  try {
    return (await lookup(plain, { all: true, verbatim: true })).map((entry) => entry.address);
  } catch {
    return [];
  }
}

/** Why a webhook may not target `url` (resolving its host and checking every address), or undefined. */
export async function targetRefusal(url: URL, allowed: AllowedHosts): Promise<string | undefined> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'only http and https targets';
  if (url.username !== '' || url.password !== '') return 'credentials do not belong in the URL';
  return allowed.refusal(url.hostname, await addressesOf(url.hostname));
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for `http.request` that checks the addresses the connection will really use, so a
 * name that resolved to a public address when the webhook was made cannot be pointed at a
 * private one later (DNS rebinding).
 */
export function guardedLookup(host: string, allowed: AllowedHosts) {
  return (hostname: string, options: { all?: boolean }, callback: LookupCallback): void => {
    lookupCallback(hostname, { all: true, verbatim: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const refusal = allowed.refusal(host, addresses.map((entry) => entry.address));
      if (refusal) return callback(Object.assign(new Error(refusal), { code: 'ETARGETREFUSED' }), []);
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), []);
      callback(null, first.address, first.family);
    });
  };
}
