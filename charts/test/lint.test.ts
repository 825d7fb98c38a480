import assert from 'node:assert/strict';
import { ALL_CHARTS, chartDir, runHelm } from '../src/index.ts';

describe('helm lint --strict', () => {
  for (const chart of [...ALL_CHARTS, 'shoal-service']) {
    it(`When ${chart} is linted with its default values, then helm finds nothing to warn about`, async () => {
      const result = await runHelm(['lint', '--strict', chartDir(chart)], { allowFailure: true });
      assert.equal(result.exitCode, 0, result.stdout + result.stderr);
      assert.doesNotMatch(result.stdout, /\[(WARNING|ERROR)\]/);
    });
  }

  for (const chart of ALL_CHARTS) {
    it(`When ${chart} is linted with values-production.yaml, then helm finds nothing to warn about`, async () => {
      const result = await runHelm(
        ['lint', '--strict', chartDir(chart), '-f', `${chartDir(chart)}/values-production.yaml`],
        { allowFailure: true },
      );
      assert.equal(result.exitCode, 0, result.stdout + result.stderr);
      assert.doesNotMatch(result.stdout, /\[(WARNING|ERROR)\]/);
    });
  }
});
