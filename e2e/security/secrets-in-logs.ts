// The last check of the run: no password, token, client secret or key the suite used or the
// platform generated appears in any log file of any process of the run.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { searchableFragments } from './support/secret-ledger.ts';
import type { SecurityContext } from './support/security-context.ts';

/** Declares the secrets-in-logs spec (run it last: it reads what everything before logged). */
export function secretsInLogsSpecs(context: () => SecurityContext): void {
  describe('Secrets never reach logs', function () {
    it('When every log of the run is searched for every secret used, then none is found', function () {
      const c = context();
      const files = c.platform.logFiles();
      const components = new Set(files.map((file) => basename(file).replace(/-\d+\.log$/, '')));
      assert.deepEqual(
        [...components].sort(),
        [...c.platform.services, 'gateway'].sort(),
        'a log per component',
      );
      const kinds = new Set(c.ledger.entries().map(([, kind]) => kind));
      for (const kind of [
        'password',
        'access token',
        'refresh token',
        'client secret',
        'key',
        'platform secret',
      ]) {
        assert.ok(kinds.has(kind as never), `the ledger holds at least one ${kind}`);
      }
      const leaks: string[] = [];
      let bytes = 0;
      for (const file of files) {
        const text = readFileSync(file, 'utf8');
        bytes += text.length;
        for (const [value, kind] of c.ledger.entries()) {
          if (searchableFragments(value).some((fragment) => text.includes(fragment))) {
            leaks.push(`${basename(file)} holds a ${kind} (${value.length} characters)`);
          }
        }
      }
      assert.ok(bytes > 10_000, `the logs hold something to search (${bytes} bytes)`);
      assert.deepEqual(leaks, []);
    });
  });
}
