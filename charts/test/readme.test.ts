import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_CHARTS, chartDir, withCurrentTable } from '../src/index.ts';

describe('chart READMEs', () => {
  for (const chart of ALL_CHARTS) {
    it(`When ${chart}'s values.yaml changes, then its README values table says the same (node charts/src/values-table.ts --write)`, () => {
      const readme = readFileSync(join(chartDir(chart), 'README.md'), 'utf8');
      assert.equal(readme, withCurrentTable(readme, chart));
    });
  }
});
