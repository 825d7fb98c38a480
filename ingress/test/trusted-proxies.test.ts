import assert from 'node:assert/strict';
import { ConfigError, parseConfig, trustProxySetting } from '@shoal/kit';
import { gatewayConfigSchema } from '../src/config.ts';
import { TrustedProxies } from '../src/proxy/trusted-proxies.ts';

/** The gateway's reading of a TRUST_PROXY text, as the gateway builds it. */
function trusted(text: string): TrustedProxies {
  return new TrustedProxies(trustProxySetting(text));
}

describe('TRUST_PROXY at the edge (the same setting as every service)', () => {
  it('When TRUST_PROXY is false, then the client is the peer whatever X-Forwarded-For says', () => {
    const proxies = trusted('false');
    assert.equal(proxies.trusts('127.0.0.1'), false);
    assert.equal(proxies.clientAddress('10.0.0.5', '198.51.100.1'), '10.0.0.5');
  });

  it('When TRUST_PROXY is a hop count, then that many hops are believed and the next one is the client', () => {
    const proxies = trusted('2');
    assert.equal(proxies.trusts('203.0.113.9'), true);
    // peer (hop 0) and 10.0.0.2 (hop 1) are trusted; 198.51.100.1 is the client; the rest is its word.
    assert.equal(
      proxies.clientAddress('10.0.0.1', '6.6.6.6, 198.51.100.1, 10.0.0.2'),
      '198.51.100.1',
    );
  });

  it('When TRUST_PROXY is true, then every hop is believed and the left-most address is the client', () => {
    assert.equal(
      trusted('true').clientAddress('10.0.0.1', '198.51.100.1, 10.0.0.2'),
      '198.51.100.1',
    );
  });

  it('When TRUST_PROXY names ranges and CIDRs, then only those hops are trusted, spoofed entries stop at the first untrusted one', () => {
    const proxies = trusted('loopback, 10.0.0.0/255.0.0.0');
    assert.equal(proxies.trusts('::ffff:127.0.0.1'), true);
    assert.equal(proxies.trusts('::1'), true);
    assert.equal(proxies.trusts('10.1.2.3'), true);
    assert.equal(proxies.trusts('192.168.0.1'), false);
    assert.equal(
      proxies.clientAddress('127.0.0.1', '6.6.6.6, 198.51.100.1, 10.9.9.9'),
      '198.51.100.1',
    );
    assert.equal(proxies.clientAddress('127.0.0.1', 'not-an-ip, 10.9.9.9'), '10.9.9.9');
  });

  it('When the old TRUSTED_PROXIES is still set, then the config refuses to start and names its new name', () => {
    assert.throws(
      () =>
        parseConfig(gatewayConfigSchema, {
          env: { TRUSTED_PROXIES: '10.0.0.0/8' },
          envFile: false,
        }),
      (error: unknown) =>
        error instanceof ConfigError && /TRUSTED_PROXIES.*renamed TRUST_PROXY/.test(error.message),
    );
  });
});
