// Runs helm: the binary testbed/helm/helm.sh provisions (pinned, cached), or $HELM when set.
import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_DIR } from './paths.ts';

let helmBinary: string | undefined;

/** The helm binary: $HELM, else the pinned one (fetched once into $SHOAL_CACHE). */
export function helmPath(): string {
  helmBinary ??=
    process.env.HELM ??
    execFileSync(join(REPO_DIR, 'testbed/helm/helm.sh'), ['ensure'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }).trim();
  return helmBinary;
}

/** What a helm run printed and how it exited. */
export interface HelmResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Options of runHelm. */
export interface HelmOptions {
  /** Resolve with a non-zero exit instead of throwing. */
  allowFailure?: boolean;
  /** Kill helm after this long (default 120 s). */
  timeoutMs?: number;
  /** Extra environment (e.g. KUBECONFIG). */
  env?: Record<string, string>;
}

/** Runs `helm <args>`; throws with helm's stderr when it fails (unless allowFailure). */
export function runHelm(args: string[], options: HelmOptions = {}): Promise<HelmResult> {
  const binary = helmPath();
  return new Promise((resolve, reject) => {
    execFile(
      binary,
      args,
      {
        encoding: 'utf8',
        maxBuffer: 32 * 1024 * 1024,
        timeout: options.timeoutMs ?? 120_000,
        env: { ...process.env, ...options.env },
      },
      (error, stdout, stderr) => {
        const exitCode = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        // helm notes every symlinked subchart (charts/*/charts/shoal-service) at INFO level.
        const cleanStderr = stderr
          .split('\n')
          .filter((line) => !line.includes('found symbolic link in path'))
          .join('\n');
        const result = { stdout, stderr: cleanStderr, exitCode };
        if (exitCode !== 0 && !options.allowFailure) {
          reject(new Error(`helm ${args.join(' ')} exited ${exitCode}: ${cleanStderr.trim()}`));
          return;
        }
        resolve(result);
      },
    );
  });
}
