import assert from 'node:assert/strict';
import {
  parseByteSize,
  parseCorsOrigins,
  parseRateLimit,
  parseRoutePolicy,
} from '../src/routes/route-policy.ts';
import type { RoutePolicy } from '../src/routes/route-policy.ts';

const defaults: RoutePolicy = {
  auth: 'required',
  rateLimit: undefined,
  timeoutMs: 60_000,
  bodyLimitBytes: 1024,
  corsOrigins: [],
};

describe('route policy annotations', () => {
  it('When rates are written per second, minute, hour or custom window, then they parse to points and seconds', () => {
    assert.deepEqual(parseRateLimit('100/m'), { points: 100, durationSec: 60, text: '100/m' });
    assert.deepEqual(parseRateLimit('10/s'), { points: 10, durationSec: 1, text: '10/s' });
    assert.deepEqual(parseRateLimit('5000/h'), { points: 5000, durationSec: 3600, text: '5000/h' });
    assert.deepEqual(parseRateLimit('100 / 30s'), {
      points: 100,
      durationSec: 30,
      text: '100/30s',
    });
  });

  it('When a rate, size, timeout or origin is malformed, then the error names the annotation and what was expected', () => {
    assert.throws(
      () => parseRateLimit('lots'),
      /shoal\.dev\/rate-limit="lots" is invalid: expected requests per window/,
    );
    assert.throws(() => parseRateLimit('0/m'), /rate-limit/);
    assert.throws(() => parseByteSize('ten megs'), /shoal\.dev\/body-limit/);
    assert.throws(
      () => parseRoutePolicy({ 'shoal.dev/timeout': '-1' }, defaults),
      /shoal\.dev\/timeout/,
    );
    assert.throws(() => parseCorsOrigins('https://a.example/path'), /cors-origins/);
    assert.throws(() => parseCorsOrigins('*, https://a.example'), /cors-origins/);
  });

  it('When pass-headers names X-Shoal-* headers, then they are kept lower-cased; any other name is refused', () => {
    assert.deepEqual(
      parseRoutePolicy(
        { 'shoal.dev/pass-headers': 'X-Shoal-Signature, x-shoal-delivery' },
        defaults,
      ).passHeaders,
      ['x-shoal-signature', 'x-shoal-delivery'],
    );
    assert.equal(parseRoutePolicy({}, defaults).passHeaders, undefined);
    assert.throws(
      () => parseRoutePolicy({ 'shoal.dev/pass-headers': 'Authorization' }, defaults),
      /shoal\.dev\/pass-headers="Authorization" is invalid: expected comma-separated X-Shoal-\*/,
    );
  });

  it('When annotations are absent, then the defaults apply; `none` switches a default rate limit off', () => {
    assert.deepEqual(parseRoutePolicy(undefined, defaults), defaults);
    const limited = { ...defaults, rateLimit: parseRateLimit('10/s') };
    assert.equal(
      parseRoutePolicy({ 'shoal.dev/rate-limit': 'none' }, limited).rateLimit,
      undefined,
    );
  });

  it('When sizes use k/m/g units, then they are binary multiples, as nginx reads them', () => {
    assert.equal(parseByteSize('512'), 512);
    assert.equal(parseByteSize('100kb'), 102_400);
    assert.equal(parseByteSize('10m'), 10 * 1024 * 1024);
    assert.equal(parseByteSize('1Gi'), 1024 ** 3);
  });

  it('When origins are listed, then each must be a bare scheme://host[:port]', () => {
    assert.deepEqual(parseCorsOrigins('https://app.example.com, http://localhost:3000'), [
      'https://app.example.com',
      'http://localhost:3000',
    ]);
    assert.deepEqual(parseCorsOrigins('*'), ['*']);
  });
});
