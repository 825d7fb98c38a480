// Runs a long-lived shoal verb (watch, status --watch, reconcile) in-process against the
// testbed, line by line: a test waits for the line it expects, then stops the run like Ctrl-C.
import { loadKubeTestbed } from '@shoal/testbed';
import { runShoal } from '../../src/cli.ts';
import { testbedHelm } from './cli.ts';

/** A running verb. */
export interface LiveRun {
  /** Complete lines of stdout so far. */
  readonly lines: string[];
  /** Resolves with the first line (seen or to come) that matches; rejects when the run ends first. */
  waitFor(predicate: (line: string) => boolean): Promise<string>;
  /** Aborts the run (as Ctrl-C does) and resolves with its exit code. */
  stop(): Promise<number>;
  /** Everything written to stderr. */
  stderr(): string;
}

/** Starts `shoal <args>` with the testbed's kubeconfig; `tty` makes stdout a terminal of `columns`. */
export function startShoal(
  args: string[],
  options: { tty?: boolean; columns?: number } = {},
): LiveRun {
  const controller = new AbortController();
  const lines: string[] = [];
  const waiters: {
    predicate: (line: string) => boolean;
    resolve: (line: string) => void;
    reject: (error: Error) => void;
  }[] = [];
  let buffer = '';
  let stderr = '';
  const exit = runShoal(
    ['--kubeconfig', loadKubeTestbed().kubeconfigPath, ...args],
    {
      stdout: {
        write: (text: string) => {
          buffer += text;
          const parts = buffer.split('\n');
          buffer = parts.pop() ?? '';
          for (const line of parts) {
            lines.push(line);
            for (const waiter of [...waiters]) {
              if (waiter.predicate(line)) {
                waiters.splice(waiters.indexOf(waiter), 1);
                waiter.resolve(line);
              }
            }
          }
        },
        isTTY: options.tty === true,
        columns: options.columns ?? 100,
      },
      stderr: { write: (text: string) => (stderr += text) },
      env: { ...process.env, SHOAL_HELM: testbedHelm(), TERM: 'xterm' },
      cwd: process.cwd(),
    },
    controller.signal,
  );
  void exit.then((code) => {
    for (const waiter of waiters.splice(0)) {
      waiter.reject(
        new Error(
          `shoal ${args.join(' ')} ended (exit ${code}) before the line came:\n${lines.join('\n')}\n${stderr}`,
        ),
      );
    }
  });
  return {
    lines,
    waitFor(predicate) {
      const seen = lines.find(predicate);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => waiters.push({ predicate, resolve, reject }));
    },
    async stop() {
      controller.abort();
      return exit;
    },
    stderr: () => stderr,
  };
}
