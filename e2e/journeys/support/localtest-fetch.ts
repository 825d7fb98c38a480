// HTTP to the kind cluster under its public names (shoal.localtest.me, mail.…, jaeger.…).
// Public DNS resolves *.localtest.me to 127.0.0.1, but no DNS answers on an offline machine;
// this fetch resolves those names itself to the address kind publishes the gateway on (the
// host's port 80 is mapped to the gateway's NodePort), so every request still carries the
// Host header the gateway routes on, as a browser's would. Other names resolve as usual.
import { lookup } from 'node:dns';
import type { LookupAddress, LookupAllOptions, LookupOneOptions } from 'node:dns';
import { Agent, fetch as undiciFetch } from 'undici';
import type { FetchLike } from '../../src/fetch-like.ts';

/** Where *.localtest.me goes: 127.0.0.1 unless SHOAL_KIND_ADDRESS says otherwise. */
export const LOCALTEST_ADDRESS = process.env['SHOAL_KIND_ADDRESS'] ?? '127.0.0.1';

/** Whether `hostname` is localtest.me or a name under it. */
export function isLocaltestName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  return name === 'localtest.me' || name.endsWith('.localtest.me');
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/** dns.lookup, except that *.localtest.me is LOCALTEST_ADDRESS without asking any DNS. */
function pinnedLookup(
  hostname: string,
  options: LookupOneOptions | LookupAllOptions,
  callback: LookupCallback,
): void {
  if (!isLocaltestName(hostname)) {
    lookup(hostname, options as LookupAllOptions, callback as never);
    return;
  }
  const family = LOCALTEST_ADDRESS.includes(':') ? 6 : 4;
  if (options.all) callback(null, [{ address: LOCALTEST_ADDRESS, family }]);
  else callback(null, LOCALTEST_ADDRESS, family);
}

/** A fetch for the cluster's names and the connection pool behind it (close it when done). */
export interface LocaltestFetch {
  readonly fetch: FetchLike;
  close(): Promise<void>;
}

/** A fetch with its own connection pool, whose *.localtest.me names reach the kind cluster. */
export function createLocaltestFetch(): LocaltestFetch {
  const agent = new Agent({ connect: { lookup: pinnedLookup } });
  return {
    fetch: (url, init) => undiciFetch(url, { ...init, dispatcher: agent }),
    close: () => agent.close(),
  };
}
