// Runs the shoal CLI in-process, as a user would from a shell (argv, env, exit code, output),
// against the Kubernetes testbed: stdout is not a terminal, so progress is plain lines.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadKubeTestbed } from '@shoal/testbed';
import { runShoal } from '../../src/cli.ts';

/** What a run printed and how it ended. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed (for `-o json` runs). */
  json<T = Record<string, unknown>>(): T;
}

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
let helm: string | undefined;

/** The pinned helm the testbed provisions (cached under $SHOAL_CACHE). */
export function testbedHelm(): string {
  helm ??= execFileSync(`${REPO}/testbed/helm/helm.sh`, ['ensure'], { encoding: 'utf8' }).trim();
  return helm;
}

/** Runs `shoal <args> --kubeconfig <testbed>`; `env` adds to (or, with undefined, removes from) the environment. */
export async function shoal(
  args: string[],
  env: Record<string, string | undefined> = {},
  options: { signal?: AbortSignal; onOutput?: (text: string) => void } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const environment: NodeJS.ProcessEnv = { ...process.env, SHOAL_HELM: testbedHelm(), ...env };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete environment[key];
  const code = await runShoal(
    ['--kubeconfig', loadKubeTestbed().kubeconfigPath, ...args],
    {
      stdout: {
        write: (text: string) => {
          stdout += text;
          options.onOutput?.(text);
        },
        isTTY: false,
      },
      stderr: { write: (text: string) => (stderr += text) },
      env: environment,
      cwd: process.cwd(),
    },
    options.signal,
  );
  return {
    code,
    stdout,
    stderr,
    json<T>(): T {
      try {
        return JSON.parse(stdout) as T;
      } catch {
        throw new Error(
          `shoal ${args.join(' ')} printed no JSON (exit ${code}): ${stdout}${stderr}`,
        );
      }
    },
  };
}

/** Asserts the exit code, showing the output when it differs. */
export function expectExit(run: CliRun, code: number): CliRun {
  if (run.code !== code) {
    throw new Error(
      `expected exit ${code}, got ${run.code}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`,
    );
  }
  return run;
}
