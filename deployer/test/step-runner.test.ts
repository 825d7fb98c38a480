// `shoal up`'s steps: numbered and timed, each command's output in its own log, and a
// failing step's error naming that log (whose last lines are shown), never the raw output.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatElapsed } from '../src/bootstrap/elapsed.ts';
import { StepRunner } from '../src/bootstrap/step-runner.ts';
import { ShoalError } from '../src/errors/shoal-error.ts';

/** A runner whose logs go to a fresh directory and whose lines are collected. */
function runner(total = 3) {
  const root = mkdtempSync(join(tmpdir(), 'shoal-steps-'));
  const said: string[] = [];
  const printed: string[] = [];
  const steps = new StepRunner({
    total,
    logDirectory: join(root, '.testbed', 'up'),
    say: (line) => said.push(line),
    print: (line) => printed.push(line),
    env: process.env,
    cwd: root,
    displayFrom: root,
  });
  return { root, steps, said, printed };
}

/** A node one-liner as a step's command (node is what runs these tests). */
function nodeStep(name: string, log: string, script: string) {
  return { name, log, command: [process.execPath, '-e', script] };
}

describe("shoal up's step runner", () => {
  it('When a step exits 1, then the error names its log, the log holds its output, and its last lines are printed', async () => {
    const { root, steps, said, printed } = runner(15);
    const lines = Array.from({ length: 30 }, (_, n) => `layer ${n + 1}`);
    const step = nodeStep(
      'build shoal/auth:0123456789ab',
      'build-auth',
      `console.log(${JSON.stringify(lines.join('\n'))}); console.error('ERROR: pull access denied for node'); process.exit(1)`,
    );
    let failure: unknown;
    try {
      await steps.command(3, step);
    } catch (error) {
      failure = error;
    }
    assert.ok(failure instanceof ShoalError, String(failure));
    const log = join(root, '.testbed', 'up', 'build-auth.log');
    assert.equal(failure.exitCode, 5);
    assert.match(
      failure.message,
      /^\[ 3\/15\] build shoal\/auth:0123456789ab failed \(exit 1\) after \d+\.\ds; its log: (\S+) \(its last lines are above\)$/,
    );
    assert.ok(failure.message.includes(`its log: ${log} `), failure.message);
    const text = readFileSync(log, 'utf8');
    assert.match(text, /^\$ \S+ -e /);
    assert.match(text, /layer 1\n[\s\S]*layer 30\n/);
    assert.match(text, /ERROR: pull access denied for node/);
    assert.match(text, /\(exit 1\)\n$/);
    // The last 20 lines, the error among them, and not the first layers.
    assert.equal(printed.length, 20);
    assert.ok(printed.every((line) => line.startsWith('  | ')));
    assert.ok(printed.some((line) => line.includes('pull access denied')));
    assert.ok(!printed.some((line) => line === '  | layer 1'));
    assert.deepEqual(said, [
      '[ 3/15] build shoal/auth:0123456789ab (log: .testbed/up/build-auth.log)',
      said[1],
    ]);
    assert.match(said[1] ?? '', /^\[ 3\/15\] build shoal\/auth:0123456789ab failed in \d+\.\ds$/);
    assert.equal(steps.records[0]?.status, 'failed');
    assert.equal(steps.records[0]?.log, log);
  });

  it('When a program is not installed, then the step fails naming the log, which says so', async () => {
    const { root, steps } = runner();
    const step = { name: 'load x', log: 'load-x', command: ['shoal-no-such-program-xyz'] };
    await assert.rejects(steps.command(1, step), (error: unknown) => {
      assert.ok(error instanceof ShoalError);
      assert.match(error.message, /load x failed \(exit 127\).*load-x\.log/);
      return true;
    });
    assert.match(
      readFileSync(join(root, '.testbed', 'up', 'load-x.log'), 'utf8'),
      /shoal-no-such-program-xyz: command not found/,
    );
  });

  it('When steps succeed or are skipped, then each gets a numbered line with its time and the summary lists them all', async () => {
    const { root, steps, said } = runner(3);
    steps.skip(1, { name: 'cluster shoal', command: ['kind'] }, 'it exists');
    const record = await steps.command(
      2,
      nodeStep('load shoal/auth:1', 'load-auth', 'console.log("loaded")'),
    );
    const finish = steps.begin(3, { name: 'deploy environment kind', command: ['shoal'] });
    finish('done');
    assert.equal(record.status, 'done');
    assert.ok(existsSync(join(root, '.testbed', 'up', 'load-auth.log')));
    assert.equal(said[0], '[1/3] cluster shoal skipped: it exists');
    assert.equal(said[1], '[2/3] load shoal/auth:1 (log: .testbed/up/load-auth.log)');
    assert.match(said[2] ?? '', /^\[2\/3\] load shoal\/auth:1 done in \d+\.\ds$/);
    assert.equal(said[3], '[3/3] deploy environment kind');
    assert.match(said[4] ?? '', /^\[3\/3\] deploy environment kind done in \d+\.\ds$/);
    const summary = steps.summaryLines();
    assert.match(summary[0] ?? '', /^steps \(total \d+\.\ds\):$/);
    assert.equal(summary[1], '  [1/3] cluster shoal            skipped');
    assert.match(summary[2] ?? '', /^ {2}\[2\/3\] load shoal\/auth:1 {8}done {4}\d+\.\ds$/);
    assert.match(summary[3] ?? '', /^ {2}\[3\/3\] deploy environment kind {2}done {4}\d+\.\ds$/);
    assert.equal(summary.length, 4);
  });

  it('When times are formatted, then short ones get tenths, then seconds, then minutes', () => {
    assert.equal(formatElapsed(420), '0.4s');
    assert.equal(formatElapsed(9_840), '9.8s');
    assert.equal(formatElapsed(41_200), '41s');
    assert.equal(formatElapsed(125_000), '2m05s');
  });
});
