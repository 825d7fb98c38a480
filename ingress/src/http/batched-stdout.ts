// Log lines to stdout, one write per event-loop turn instead of one per line. Under load the
// access log is a line per request, and on a pipe (a container's stdout) every write is a
// synchronous system call; batching them saves that per request. Lines written before the
// process exits are flushed synchronously, so a normal or signalled exit loses none.
import { writeSync } from 'node:fs';
import { Writable } from 'node:stream';

/** A Writable for the logger that batches lines and writes them to fd 1. */
export function batchedStdout(): Writable {
  let pending: string[] = [];
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    if (pending.length === 0) return;
    const text = pending.join('');
    pending = [];
    process.stdout.write(text);
  };
  process.once('exit', () => {
    if (pending.length > 0) writeAllSync(pending.join(''));
    pending = [];
  });
  return new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, callback) {
      pending.push(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
      callback();
    },
  });
}

/**
 * Writes all of `text` to fd 1 before returning. The fd may be a non-blocking pipe (EAGAIN
 * once the reader's 64 KiB are full): retry until the reader has taken everything, and give
 * up only when there is no reader left (EPIPE).
 */
function writeAllSync(text: string): void {
  let rest = Buffer.from(text, 'utf8');
  while (rest.length > 0) {
    try {
      rest = rest.subarray(writeSync(1, rest));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') return;
    }
  }
}
