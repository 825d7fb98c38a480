// Which peers may speak for the client through X-Forwarded-* (a load balancer in front of
// the gateway), and who the client is once their word is taken.
import { BlockList, isIP } from 'node:net';

/** The peers trusted to set X-Forwarded-*; empty = nobody (clients connect directly). */
export class TrustedProxies {
  readonly #list = new BlockList();
  readonly #empty: boolean;

  /** `entries`: IP addresses and CIDR blocks (validated by the config schema). */
  constructor(entries: readonly string[]) {
    this.#empty = entries.length === 0;
    for (const entry of entries) {
      const [address = '', bits] = entry.split('/');
      const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) this.#list.addAddress(address, type);
      else this.#list.addSubnet(address, Number(bits), type);
    }
  }

  /** Whether this peer address is a trusted proxy. */
  trusts(address: string | undefined): boolean {
    if (this.#empty || address === undefined) return false;
    const plain = unmapIpv4(address);
    const family = isIP(plain);
    if (family === 0) return false;
    return this.#list.check(plain, family === 6 ? 'ipv6' : 'ipv4');
  }

  /**
   * The client's address: the peer, or, when the peer is trusted, the right-most address of
   * X-Forwarded-For that is not itself a trusted proxy (the left part is the client's word).
   */
  clientAddress(peer: string | undefined, forwardedFor: string | string[] | undefined): string {
    let client = unmapIpv4(peer ?? 'unknown');
    if (!this.trusts(client) || forwardedFor === undefined) return client;
    const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
      .split(',')
      .map((hop) => hop.trim())
      .filter(Boolean);
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = unmapIpv4(hops[i] as string);
      if (isIP(hop) === 0) return client; // garbage in the chain: stop at what we know
      client = hop;
      if (!this.trusts(hop)) return client;
    }
    return client;
  }
}

/** `::ffff:10.0.0.1` → `10.0.0.1`, so IPv4 rules match dual-stack sockets. */
export function unmapIpv4(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}
