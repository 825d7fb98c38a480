import assert from 'node:assert/strict';
import { PointLeases, leaseSize } from '../src/policy/point-lease.ts';

describe('rate-limit point leases', () => {
  it('When a limit is small, then nothing is leased (every request asks Redis); large limits lease up to 64', () => {
    assert.equal(leaseSize(100), 1);
    assert.equal(leaseSize(1999), 1);
    assert.equal(leaseSize(2000), 2);
    assert.equal(leaseSize(100_000_000), 64);
  });

  it('When a lease is stored, then exactly its points are handed out, and none after its window ends', () => {
    const leases = new PointLeases();
    const now = 1_000_000;
    leases.store(
      'k',
      3,
      { allowed: true, limit: 100, remaining: 50, resetMs: 10_000, local: false },
      now,
    );
    const taken = [1, 2, 3, 4].map(() => leases.take('k', now + 1));
    assert.deepEqual(
      taken.map((decision) => decision?.remaining),
      [52, 51, 50, undefined],
    );
    leases.store(
      'k',
      3,
      { allowed: true, limit: 100, remaining: 50, resetMs: 10_000, local: false },
      now,
    );
    assert.equal(leases.take('k', now + 10_000), undefined);
  });

  it('When a decision was a refusal, then no lease is kept', () => {
    const leases = new PointLeases();
    leases.store('k', 5, { allowed: false, limit: 10, remaining: 0, resetMs: 1000, local: false });
    assert.equal(leases.take('k'), undefined);
  });
});
