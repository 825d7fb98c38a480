// Which peers may speak for the client through X-Forwarded-* (a load balancer in front of
// the gateway), and who the client is once their word is taken. Configured by the kit's
// TRUST_PROXY, with the meaning Express (proxy-addr) gives it in every other service: `false`,
// `true`, a hop count, or range names (loopback, linklocal, uniquelocal), IPs and CIDRs.
import { BlockList, isIP } from 'node:net';
import type { TrustProxySetting } from '@shoal/kit';

/** The address ranges behind Express' range names. */
const RANGES: Record<string, string[]> = {
  loopback: ['127.0.0.1/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

/** The peers trusted to set X-Forwarded-*, from a TRUST_PROXY setting. */
export class TrustedProxies {
  readonly #list = new BlockList();
  /** A hop count (Infinity for `true`), or undefined when the list decides. */
  readonly #hops: number | undefined;

  /** `setting`: what the kit's `trustProxySetting(TRUST_PROXY)` gives (validated at start). */
  constructor(setting: TrustProxySetting) {
    if (typeof setting === 'boolean') {
      this.#hops = setting ? Infinity : 0;
      return;
    }
    if (typeof setting === 'number') {
      this.#hops = setting;
      return;
    }
    this.#hops = undefined;
    for (const entry of setting.flatMap((item) => RANGES[item] ?? [item]))
      addEntry(this.#list, entry);
  }

  /** Whether this peer (the hop `index` places from the gateway; 0 = the peer) is trusted. */
  trusts(address: string | undefined, index = 0): boolean {
    if (this.#hops !== undefined) return index < this.#hops;
    if (address === undefined) return false;
    const plain = unmapIpv4(address);
    const family = isIP(plain);
    if (family === 0) return false;
    return this.#list.check(plain, family === 6 ? 'ipv6' : 'ipv4');
  }

  /**
   * The client's address: the peer, or, when the peer is trusted, the nearest address of
   * X-Forwarded-For (right to left) that is not itself trusted (the left part is the
   * client's word). Garbage in the chain stops the walk at the last address known good.
   */
  clientAddress(peer: string | undefined, forwardedFor: string | string[] | undefined): string {
    let client = unmapIpv4(peer ?? 'unknown');
    if (!this.trusts(client, 0) || forwardedFor === undefined) return client;
    const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
      .split(',')
      .map((hop) => hop.trim())
      .filter(Boolean);
    for (let i = hops.length - 1, index = 1; i >= 0; i--, index++) {
      const hop = unmapIpv4(hops[i] as string);
      if (isIP(hop) === 0) return client;
      client = hop;
      if (!this.trusts(hop, index)) return client;
    }
    return client;
  }
}

/** Adds an IP, `ip/prefix` or IPv4 `ip/netmask` to the list. */
function addEntry(list: BlockList, entry: string): void {
  const [address = '', mask] = entry.split('/');
  const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  if (mask === undefined) list.addAddress(address, type);
  else list.addSubnet(address, isIP(mask) === 4 ? netmaskBits(mask) : Number(mask), type);
}

/** `255.255.0.0` → 16. */
function netmaskBits(mask: string): number {
  return mask
    .split('.')
    .map(Number)
    .reduce((bits, octet) => bits + octet.toString(2).replace(/0/g, '').length, 0);
}

/** `::ffff:10.0.0.1` → `10.0.0.1`, so IPv4 rules match dual-stack sockets. */
export function unmapIpv4(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}
