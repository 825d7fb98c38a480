import { PassThrough } from 'node:stream';
import { createLogger } from '@shoal/kit';
import type { Logger } from '@shoal/kit';

/** A real kit logger whose JSON lines are kept for assertions. */
export interface CapturedLogger {
  logger: Logger;
  /** The stream the logger writes to (give it to whatever else writes log lines). */
  stream: NodeJS.WritableStream;
  /** Every line written so far, parsed. */
  lines(): Record<string, unknown>[];
}

/** A kit logger writing into memory instead of stdout. */
export function captureLogs(service = 'gateway'): CapturedLogger {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  return {
    logger: createLogger({ service, level: 'info', stream }),
    stream,
    lines: () =>
      text
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
