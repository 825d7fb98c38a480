// Log lines to stdout, written in batches instead of one system call per line. Under load the
// access log is a line per request, and on a pipe (a container's stdout) every write is a
// synchronous system call; at a steady trickle of requests, even a write per event-loop turn
// is one per request. Lines are written at most FLUSH_AFTER_MS after they were logged, or at
// once when a batch reaches FLUSH_AT_CHARS. Lines pending when the process exits are written
// synchronously, so a normal or signalled exit loses none.
import { writeSync } from 'node:fs';
import { Writable } from 'node:stream';

/** How long a line may wait for company before it is written. */
const FLUSH_AFTER_MS = 20;
/** A batch this large is written at once. */
const FLUSH_AT_CHARS = 64 * 1024;

/** A Writable for the logger (and the access log) that batches lines and writes them to fd 1. */
export function batchedStdout(): Writable {
  let pending: string[] = [];
  let pendingChars = 0;
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (pending.length === 0) return;
    const text = pending.join('');
    pending = [];
    pendingChars = 0;
    process.stdout.write(text);
  };
  process.once('exit', () => {
    if (pending.length > 0) writeAllSync(pending.join(''));
    pending = [];
  });
  return new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, callback) {
      const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      pending.push(text);
      pendingChars += text.length;
      if (pendingChars >= FLUSH_AT_CHARS) flush();
      // Unref'd: a pending flush never keeps the process alive (the exit hook writes the rest).
      else timer ??= setTimeout(flush, FLUSH_AFTER_MS).unref();
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
