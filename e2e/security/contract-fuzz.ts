// schemathesis (from PyPI, installed by schemathesis.sh into the shared cache) against each
// service's OpenAPI contract, with a real admin token: no 5xx, and every response matches its
// contract (status, content type, schema). Bounded: a few examples per operation, one worker.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SecurityContext } from './support/security-context.ts';
import { contractFile } from './support/contract-operations.ts';

const CHECKS = [
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_schema_conformance',
].join(',');
/** Examples per operation: enough to find a crash on a hostile field, small enough for CI. */
const MAX_EXAMPLES = '8';

/** The schemathesis CLI, installed on first use. */
function schemathesisBinary(repoRoot: string): string {
  return execFileSync(join(repoRoot, 'e2e', 'security', 'schemathesis.sh'), {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
}

/** Declares the contract-fuzzing specs. */
export function contractFuzzSpecs(context: () => SecurityContext): void {
  describe('schemathesis against every contract', function () {
    this.timeout(300_000);
    let st: string;

    before(function () {
      st = schemathesisBinary(context().platform.repoRoot);
    });

    for (const service of ['auth', 'user', 'event', 'notification', 'reporting'] as const) {
      it(`When schemathesis fuzzes ${service}'s contract with an admin token, then no 5xx and no response breaks the contract`, function () {
        const c = context();
        if (!c.platform.has(service)) this.skip();
        const instance = c.platform.instances(service)[0];
        assert.ok(instance);
        const result = spawnSync(
          st,
          [
            'run',
            contractFile(c.platform.repoRoot, service),
            '--url',
            instance.url,
            '--header',
            `Authorization: Bearer ${c.admin.accessToken}`,
            '--checks',
            CHECKS,
            '--max-examples',
            MAX_EXAMPLES,
            '--phases',
            'examples,coverage,fuzzing',
            '--workers',
            '1',
            '--seed',
            '20261128',
            '--request-timeout',
            '10',
            '--no-color',
          ],
          {
            encoding: 'utf8',
            timeout: 240_000,
            env: { ...process.env, NO_COLOR: '1' },
            // schemathesis keeps a `.schemathesis/` cache in its working directory: the run's.
            cwd: c.platform.stateDir,
          },
        );
        const output = `${result.stdout}\n${result.stderr}`;
        writeFileSync(join(c.platform.stateDir, `schemathesis-${service}.txt`), output);
        assert.equal(result.status, 0, `schemathesis on ${service}:\n${output.slice(-6000)}`);
      });
    }
  });
}
