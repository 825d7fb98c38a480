import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

/** The kit's package directory, so `@shoal/kit/...` specifiers resolve for child processes. */
export const KIT_DIR = fileURLToPath(new URL('../..', import.meta.url));

/** A node child process whose stdout JSON lines are parsed as they arrive. */
export interface ServiceProcess {
  child: ChildProcess;
  /** Parsed JSON lines from stdout so far. */
  logs: Record<string, unknown>[];
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Resolves with the first log line matching `predicate` (rejects if the process exits first). */
  waitForLog(
    predicate: (line: Record<string, unknown>) => boolean,
  ): Promise<Record<string, unknown>>;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
}

/** Spawns `node [nodeArgs] <file>` in the kit directory with `env` added to the environment. */
export function spawnNode(
  file: string,
  env: Record<string, string>,
  nodeArgs: string[] = [],
): ServiceProcess {
  const child = spawn(process.execPath, [...nodeArgs, file], {
    cwd: KIT_DIR,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  const waiters: {
    predicate: (line: Record<string, unknown>) => boolean;
    resolve: (line: Record<string, unknown>) => void;
  }[] = [];
  let stdoutRest = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const parts = (stdoutRest + chunk.toString('utf8')).split('\n');
    stdoutRest = parts.pop() ?? '';
    for (const part of parts) {
      if (part.trim() === '') continue;
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(part) as Record<string, unknown>;
      } catch {
        line = { unparsed: part };
      }
      logs.push(line);
      for (const waiter of [...waiters]) {
        if (waiter.predicate(line)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    }
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return {
    child,
    logs,
    stderr: () => stderr,
    exited,
    waitForLog(predicate) {
      const seen = logs.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ predicate, resolve });
        void exited.then((code) =>
          reject(
            new Error(`process exited (${code}) before the expected log line; stderr: ${stderr}`),
          ),
        );
      });
    },
  };
}

/** The URL a kit service logged in its `listening` line. */
export async function listeningUrl(service: ServiceProcess): Promise<string> {
  const line = await service.waitForLog((entry) => entry['msg'] === 'listening');
  return `http://127.0.0.1:${String(line['port'])}`;
}

/** Kills the child if it still runs (test cleanup). */
export function killIfRunning(service: ServiceProcess | undefined): void {
  if (service && service.child.exitCode === null && service.child.signalCode === null)
    service.child.kill('SIGKILL');
}
