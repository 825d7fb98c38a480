import assert from 'node:assert/strict';
import { baseConfigSchema } from '../../src/config/base-schema.ts';
import { ConfigError } from '../../src/config/config-error.ts';
import { parseConfig } from '../../src/config/load-config.ts';
import { trustProxySetting } from '../../src/config/trust-proxy.ts';
import { startTestService } from '../support/test-service.ts';

/** What a service behind TRUST_PROXY sees of a request that claims to be forwarded. */
async function seenBehind(
  trustProxy: string | undefined,
  forwardedFor: string,
): Promise<{ ip: string; ips: string[]; protocol: string }> {
  const running = await startTestService(
    (app) => {
      app.get('/whoami', (req, res) => {
        res.json({ ip: req.ip, ips: req.ips, protocol: req.protocol });
      });
    },
    { env: trustProxy === undefined ? {} : { TRUST_PROXY: trustProxy } },
  );
  try {
    const response = await fetch(`${running.url}/whoami`, {
      headers: { 'x-forwarded-for': forwardedFor, 'x-forwarded-proto': 'https' },
    });
    return (await response.json()) as { ip: string; ips: string[]; protocol: string };
  } finally {
    await running.service.stop();
  }
}

describe('config: TRUST_PROXY applied by createService', () => {
  it('When TRUST_PROXY is unset, then forwarded headers are ignored: req.ip is the peer', async () => {
    assert.deepEqual(await seenBehind(undefined, '203.0.113.7'), {
      ip: '127.0.0.1',
      ips: [],
      protocol: 'http',
    });
  });

  it('When the peer is a trusted range (loopback), then req.ip is the client the proxy saw', async () => {
    assert.deepEqual(await seenBehind('loopback', '198.51.100.1, 203.0.113.7'), {
      ip: '203.0.113.7',
      ips: ['203.0.113.7'],
      protocol: 'https',
    });
  });

  it('When TRUST_PROXY is a hop count, then that many hops are trusted', async () => {
    const seen = await seenBehind('2', '198.51.100.1, 203.0.113.7');
    assert.equal(seen.ip, '198.51.100.1');
  });

  it('When TRUST_PROXY lists CIDRs, then only those hops are trusted, spoofed entries stop at the first untrusted one', async () => {
    const seen = await seenBehind('127.0.0.0/8, 10.0.0.0/8', '198.51.100.1, 10.1.2.3');
    assert.equal(seen.ip, '198.51.100.1');
    const untrustedPeer = await seenBehind('10.0.0.0/8', '203.0.113.7');
    assert.equal(untrustedPeer.ip, '127.0.0.1');
  });

  it('When TRUST_PROXY texts are converted, then they become what Express takes', () => {
    assert.equal(trustProxySetting(undefined), false);
    assert.equal(trustProxySetting('false'), false);
    assert.equal(trustProxySetting('true'), true);
    assert.equal(trustProxySetting('1'), 1);
    assert.deepEqual(
      trustProxySetting('loopback, 10.0.0.0/8,::1, fd00::/8, 192.168.0.0/255.255.0.0'),
      ['loopback', '10.0.0.0/8', '::1', 'fd00::/8', '192.168.0.0/255.255.0.0'],
    );
  });

  it('When TRUST_PROXY is not something Express takes, then the config line names it', () => {
    for (const bad of [
      'banana',
      '10.0.0.0/33',
      '-1',
      'loopback,',
      '10.0.0.1/8/8',
      '::1/255.0.0.0',
    ]) {
      assert.throws(
        () =>
          parseConfig(baseConfigSchema, {
            env: { SERVICE_NAME: 'user', TRUST_PROXY: bad },
            envFile: false,
          }),
        (error: unknown) =>
          error instanceof ConfigError &&
          error.message.startsWith('config: TRUST_PROXY must be false, true, a hop count'),
        bad,
      );
    }
  });
});
