// Runs the testbed's own kubectl (same version as the cluster) against the testbed, so tests
// can check what an operator would see (`kubectl rollout status`, `rollout undo`, ...).
import { execFile } from 'node:child_process';
import { loadKubeTestbed } from './kube-env.ts';
import type { KubeTestbed } from './kube-env.ts';

/** What a kubectl run printed and how it exited. */
export interface KubectlResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Options of runKubectl. */
export interface KubectlOptions {
  /** Standard input (e.g. a manifest for `apply -f -`). */
  input?: string;
  /** Kill kubectl after this long (default 120 s). */
  timeoutMs?: number;
  /** Resolve with the result instead of throwing when kubectl exits non-zero. */
  allowFailure?: boolean;
  testbed?: KubeTestbed;
}

/** Runs `kubectl <args>` with the testbed's kubeconfig; throws with kubectl's stderr when it fails. */
export function runKubectl(args: string[], options: KubectlOptions = {}): Promise<KubectlResult> {
  const testbed = options.testbed ?? loadKubeTestbed();
  return new Promise((resolve, reject) => {
    const child = execFile(
      testbed.kubectlPath,
      ['--kubeconfig', testbed.kubeconfigPath, ...args],
      { timeout: options.timeoutMs ?? 120_000, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const exitCode = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        const result = { stdout, stderr, exitCode };
        if (exitCode !== 0 && !options.allowFailure) {
          reject(
            new Error(
              `kubectl ${args.join(' ')} exited ${exitCode}: ${stderr.trim() || stdout.trim()}`,
            ),
          );
          return;
        }
        resolve(result);
      },
    );
    child.stdin?.end(options.input ?? '');
  });
}
