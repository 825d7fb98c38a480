// `npm test` in this package (what `make test` runs) takes its spec list from .mocharc.json;
// the kind suite (kind/) needs a real cluster and runs with `make test-kind` only.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

describe('The package test run', function () {
  it('When npm test runs the spec list of .mocharc.json, then no suite under kind/ is in it', function () {
    const config = JSON.parse(
      readFileSync(new URL('../.mocharc.json', import.meta.url), 'utf8'),
    ) as { spec: string[] };
    for (const spec of config.spec) {
      const top = spec.split('/')[0] ?? '';
      // Each entry names its top directory literally: a wildcard there would pick up kind/.
      assert.match(top, /^[a-z][a-z-]*$/, `spec ${spec} starts with a named directory`);
      assert.notEqual(top, 'kind', `spec ${spec} would run the cluster suite`);
    }
  });
});
