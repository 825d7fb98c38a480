// The `shoal` CLI (deployer/bin/shoal) run as an operator runs it against the kind cluster.
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import type { KindCluster } from './kind-cluster.ts';

/** What one run printed and how it exited. */
export interface ShoalRun {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `shoal --kubeconfig <kind> --context kind-<name> <args>` from the repository root. */
export function runShoal(
  cluster: KindCluster,
  args: readonly string[],
  options: { timeoutMs?: number } = {},
): Promise<ShoalRun> {
  const bin = join(cluster.repoRoot, 'deployer', 'bin', 'shoal');
  // The launcher runs `node`: the one running this suite (new enough to strip types) comes first.
  const path = `${dirname(process.execPath)}:${process.env['PATH'] ?? '/usr/bin:/bin'}`;
  return new Promise((resolve) => {
    execFile(
      bin,
      ['--kubeconfig', cluster.kubeconfigPath, '--context', cluster.context, ...args],
      {
        cwd: cluster.repoRoot,
        env: { ...process.env, PATH: path },
        timeout: options.timeoutMs ?? 120_000,
        maxBuffer: 16 * 1024 * 1024,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        const code = (error as { code?: unknown } | null)?.code;
        resolve({ exitCode: error ? (typeof code === 'number' ? code : 1) : 0, stdout, stderr });
      },
    );
  });
}
