import { BlockList, isIP } from 'node:net';

/** Loopback, private, link-local, carrier-grade NAT, multicast, reserved and unspecified ranges. */
const NOT_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  NOT_PUBLIC.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
  ['2001:db8::', 32],
] as const) {
  NOT_PUBLIC.addSubnet(network, prefix, 'ipv6');
}

/** An IPv4 address mapped into IPv6 (`::ffff:127.0.0.1`) is judged as the IPv4 address. */
function unmapped(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return { address: mapped[1], family: 'ipv4' };
  return { address, family: isIP(address) === 4 ? 'ipv4' : 'ipv6' };
}

export function isPublicAddress(address: string): boolean {
  if (isIP(address) === 0) return false;
  const { address: plain, family } = unmapped(address);
  return !NOT_PUBLIC.check(plain, family);
}

/**
 * `NP_WEBHOOK_ALLOWED_HOSTS`: hosts (names or addresses, compared case-insensitively) webhooks may
 * target whatever they resolve to, and `*`: any other host whose every address is public.
 */
export class AllowedHosts {
  private readonly hosts: Set<string>;
  private readonly anyPublic: boolean;

  constructor(setting: string) {
    const entries = setting.split(',').map((entry) => entry.trim().toLowerCase()).filter((entry) => entry !== '');
    this.anyPublic = entries.includes('*');
    this.hosts = new Set(entries.filter((entry) => entry !== '*').map(bare));
  }

  isListed(host: string): boolean {
    return this.hosts.has(bare(host.toLowerCase()));
  }

  /** Why `host` resolving to `addresses` may not be called, or undefined when it may. */
  refusal(host: string, addresses: readonly string[]): string | undefined {
    if (this.isListed(host)) return undefined;
    if (!this.anyPublic) return `${host} is not in NP_WEBHOOK_ALLOWED_HOSTS`;
    if (addresses.length === 0) return `${host} has no address`;
    const inner = addresses.find((address) => !isPublicAddress(address));
    return inner === undefined ? undefined : `${host} resolves to ${inner}, a private or loopback address (list the host in NP_WEBHOOK_ALLOWED_HOSTS to allow it)`;
  }
}

/** `[::1]` as URL hosts write it → `::1`. */
function bare(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}
