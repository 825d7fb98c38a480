import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const FIXTURE = fileURLToPath(new URL('./fixtures/log-then-exit.ts', import.meta.url));

describe('batched log lines on stdout', () => {
  for (const how of ['exit', 'end']) {
    it(`When the process ${how === 'exit' ? 'calls process.exit right after logging' : 'ends on its own'}, then every line is on stdout, whole and in order`, () => {
      const out = execFileSync(process.execPath, [FIXTURE, '5000', how], { encoding: 'utf8' });
      const lines = out
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { n: number });
      assert.equal(lines.length, 5000);
      assert.deepEqual(
        lines.map((line) => line.n),
        Array.from({ length: 5000 }, (_, i) => i),
      );
    });
  }
});
