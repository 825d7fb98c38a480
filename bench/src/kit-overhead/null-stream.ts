import { Writable } from 'node:stream';

/** A stream that swallows what it is given: log lines are still formatted, just not written. */
export function nullStream(): Writable {
  return new Writable({
    write(_chunk, _encoding, callback) {
      callback();
    },
  });
}
