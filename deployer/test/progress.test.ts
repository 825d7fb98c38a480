import assert from 'node:assert/strict';
import { lineReporter } from '../src/deploy/progress-lines.ts';
import { terminalReporter } from '../src/deploy/progress-terminal.ts';
import type { ReleaseResult } from '../src/deploy/rollout.ts';
import type { ReleaseProgress } from '../src/deploy/wait-release.ts';

const waiting = (reason: string, pods: ReleaseProgress['pods']): ReleaseProgress => ({
  release: 'auth',
  health: { status: 'Progressing', reason, objects: [] },
  pods,
});

const failed: ReleaseResult = {
  name: 'auth',
  namespace: 'shoal',
  outcome: 'rolled-back',
  revision: 4,
  counts: { create: 0, update: 1, unchanged: 8, prune: 0 },
  changes: [],
  error: 'Pod/auth-1: container auth: CrashLoopBackOff',
  diagnosis: [
    {
      object: 'Pod/auth-1',
      reason: 'container auth: CrashLoopBackOff',
      events: ['BackOff: Back-off restarting failed container'],
    },
  ],
  rollback: { toRevision: 3, revision: 5, ok: true, health: { status: 'Healthy', reason: '' } },
  images: [],
  notes: [],
};

describe('deploy progress', () => {
  it('When progress repeats itself, then plain lines say each change once, and a failure ends with its diagnosis and rollback', () => {
    const lines: string[] = [];
    const reporter = lineReporter((line) => lines.push(line));
    const pod = {
      name: 'auth-1',
      phase: 'Running',
      ready: false,
      restarts: 3,
      reason: 'container auth: CrashLoopBackOff',
    };
    reporter.progress(waiting('Deployment/auth: 1 of 2 replicas updated', [pod]));
    reporter.progress(waiting('Deployment/auth: 1 of 2 replicas updated', [pod]));
    reporter.finished(failed);
    assert.deepEqual(lines, [
      'auth: waiting for Deployment/auth: 1 of 2 replicas updated',
      'auth: pod auth-1 Running: container auth: CrashLoopBackOff',
      'auth: FAILED: Pod/auth-1: container auth: CrashLoopBackOff',
      'auth:   Pod/auth-1: container auth: CrashLoopBackOff',
      'auth:     event BackOff: Back-off restarting failed container',
      'auth: rolled back to revision 3 (recorded as revision 5), healthy',
    ]);
  });

  it('When a terminal shows progress, then the block is redrawn in place and a finished release leaves its lines above it', async () => {
    let screen = '';
    const reporter = terminalReporter((text) => (screen += text), 60);
    reporter.phase('auth', 'waiting until healthy');
    reporter.progress(
      waiting('Deployment/auth: 1 of 2 replicas updated and a very long tail that does not fit', [
        { name: 'auth-1', phase: 'Running', ready: true, restarts: 0 },
      ]),
    );
    await new Promise((resolve) => setTimeout(resolve, 150)); // the redraw is throttled to 10/s
    assert.match(screen, /● auth: waiting until healthy — Deployment\/auth: 1 of 2 re…\n/);
    assert.match(screen, / {4}✓ auth-1 ready\n/);
    reporter.finished({
      ...failed,
      outcome: 'deployed',
      diagnosis: [],
      error: undefined,
      rollback: undefined,
      health: { status: 'Healthy', reason: '4 objects healthy' },
    });
    reporter.close();
    const moveUpTwoAndClear = '\u001b[2A\r\u001b[0J';
    assert.ok(
      screen.includes(`${moveUpTwoAndClear}auth: deployed revision 4 (4 objects healthy)\n`),
      JSON.stringify(screen),
    );
  });
});
