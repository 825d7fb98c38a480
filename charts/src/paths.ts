// Where the charts and the repository are, wherever the tests are started from.
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The charts/ directory. */
export const CHARTS_DIR = fileURLToPath(new URL('..', import.meta.url));

/** The repository root. */
export const REPO_DIR = join(CHARTS_DIR, '..');

/** A chart's directory, e.g. chartDir('auth'). */
export function chartDir(chart: string): string {
  return join(CHARTS_DIR, chart);
}
