import assert from 'node:assert/strict';
import { isDatabaseUnavailable } from '../src/store/database-unavailable.ts';

describe('telling a database outage from refused data', () => {
  it('When the server is away, shutting down, full or deadlocked, then the write is worth retrying', () => {
    for (const code of [
      'ECONNREFUSED',
      'ECONNRESET',
      '08006',
      '57P01',
      '57P03',
      '53300',
      '40P01',
    ]) {
      assert.equal(isDatabaseUnavailable(Object.assign(new Error('x'), { code })), true, code);
    }
    assert.equal(isDatabaseUnavailable(new Error('Connection terminated unexpectedly')), true);
    assert.equal(isDatabaseUnavailable(new Error('timeout exceeded when trying to connect')), true);
  });

  it('When the data is refused (bad value, constraint), then retrying the same write is pointless', () => {
    for (const code of ['22021', '23505', '23514', '42P01']) {
      assert.equal(isDatabaseUnavailable(Object.assign(new Error('x'), { code })), false, code);
    }
    assert.equal(isDatabaseUnavailable('a string'), false);
    assert.equal(isDatabaseUnavailable(null), false);
  });
});
