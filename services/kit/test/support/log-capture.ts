import { PassThrough } from 'node:stream';
import { createLogger } from '../../src/logger/logger.ts';
import type { Logger } from '../../src/logger/logger.ts';

/** A real kit logger whose JSON lines are kept in memory for assertions. */
export interface CapturedLogger {
  logger: Logger;
  /** Every line written so far, parsed. */
  lines(): Record<string, unknown>[];
}

/** Creates a logger that writes to an in-memory stream instead of stdout. */
export function captureLogs(service = 'test', level = 'info'): CapturedLogger {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  return {
    logger: createLogger({ service, level, stream }),
    lines: () =>
      text
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
