// The deployer benchmark (`npm run deployer -w @shoal/bench`, `make bench-deployer`): a cold
// deploy of every release of shoal.yaml on the Kubernetes testbed with `shoal deploy` (waves in
// parallel, watch-based waits), against the reference: `helm upgrade --install --wait` run
// release after release, dependencies first, for the same charts and values, into a fresh
// namespace of the same testbed in the same run. Then the time of a deploy with nothing to
// change. Both deployers run as the processes a user would start. The machine is shared, so
// it runs several rounds (shoal first, then helm first, ...) and reports medians.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dependencyWaves, loadPlatform } from '@shoal/deployer';
import { loadKubeTestbed, runKubectl, uniqueName } from '@shoal/testbed';
import { claimVolume, PLATFORM_CLAIMS, writeBenchPlatform } from './bench-platform.ts';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const SHOAL = join(REPO, 'deployer/bin/shoal');
/** Rounds of (cold shoal, cold helm, no-ops), each in fresh namespaces; the order alternates. */
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const NOOP_RUNS = Number(process.env['BENCH_NOOP_RUNS'] ?? 2);

interface Timed {
  seconds: number;
  code: number;
  output: string;
}

/** Runs a command to completion, timing it; its output is kept for failures. */
function timed(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Timed> {
  const started = process.hrtime.bigint();
  return new Promise((resolve) => {
    let output = '';
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (code) =>
      resolve({
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
        code: code ?? 1,
        output,
      }),
    );
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function mustSucceed(what: string, run: Timed): Timed {
  if (run.code !== 0)
    throw new Error(`${what} failed (exit ${run.code}):\n${run.output.slice(-4000)}`);
  return run;
}

/** A fresh namespace (labelled for the testbed's cleanup) with volumes for the platform's claims. */
async function prepareNamespace(namespace: string): Promise<void> {
  await runKubectl(['create', 'namespace', namespace]);
  await runKubectl(['label', 'namespace', namespace, 'testbed.shoal.dev/test-namespace=true']);
  for (const claim of PLATFORM_CLAIMS) {
    await runKubectl(['apply', '-f', '-'], {
      input: JSON.stringify(claimVolume(namespace, claim)),
    });
  }
}

async function removeNamespace(namespace: string): Promise<void> {
  await runKubectl(['delete', 'namespace', namespace, '--wait=false', '--ignore-not-found']);
  for (const claim of PLATFORM_CLAIMS) {
    await runKubectl([
      'delete',
      'pv',
      `${namespace}-${claim}`,
      '--wait=false',
      '--ignore-not-found',
    ]);
  }
}

/** What one round measured. */
interface Round {
  shoal: number;
  helm: number;
  helmPerRelease: string[];
  noops: number[];
  inProcess: number[];
}

async function main(): Promise<void> {
  const { kubeconfigPath } = loadKubeTestbed();
  const helm =
    (await timed(join(REPO, 'testbed/helm/helm.sh'), ['ensure'], process.env)).output
      .trim()
      .split('\n')
      .at(-1) ?? 'helm';
  const env = { ...process.env, KUBECONFIG: kubeconfigPath, SHOAL_HELM: helm };
  const rounds: Round[] = [];
  for (let index = 0; index < ROUNDS; index += 1) {
    const round = await runRound({ kubeconfigPath, helm, env, helmFirst: index % 2 === 1 });
    rounds.push(round);
    console.log(
      `  round ${index + 1} (${index % 2 === 1 ? 'helm first' : 'shoal first'}): shoal ${round.shoal.toFixed(1)} s, helm ${round.helm.toFixed(1)} s (${round.helmPerRelease.join(', ')}), ratio ${(round.helm / round.shoal).toFixed(2)}x; no-op ${round.noops.map((seconds) => seconds.toFixed(2)).join(', ')} s`,
    );
  }
  const noops = rounds.flatMap((round) => round.noops);
  const inProcess = rounds.flatMap((round) => round.inProcess);
  const shoal = median(rounds.map((round) => round.shoal));
  const helmTime = median(rounds.map((round) => round.helm));
  console.log(`medians of ${rounds.length} rounds:`);
  console.log(`  shoal deploy, cold (waves in parallel)        ${shoal.toFixed(1)} s`);
  console.log(`  helm upgrade --install --wait, sequential     ${helmTime.toFixed(1)} s`);
  console.log(
    `  ratio helm / shoal                            ${median(rounds.map((round) => round.helm / round.shoal)).toFixed(2)}x (aim >= 2x)`,
  );
  console.log(
    `  shoal deploy, nothing to change               ${median(noops).toFixed(2)} s (${noops.length} runs; aim < 3 s)`,
  );
  console.log(
    `    of which the deploy itself                  ${median(inProcess).toFixed(2)} s (the rest: starting node and loading shoal)`,
  );
}

/** One round in fresh namespaces: both cold deploys (in the order asked), then shoal's no-ops. */
async function runRound(options: {
  kubeconfigPath: string;
  helm: string;
  env: NodeJS.ProcessEnv;
  helmFirst: boolean;
}): Promise<Round> {
  const { kubeconfigPath, helm, env } = options;
  const shoalNamespace = uniqueName('bench-shoal');
  const helmNamespace = uniqueName('bench-helm');
  const shoalFile = writeBenchPlatform(shoalNamespace);
  const helmFile = writeBenchPlatform(helmNamespace);
  const releases = dependencyWaves(loadPlatform(helmFile).releases).flat();
  if (!announced) {
    announced = true;
    console.log(
      `deployer benchmark: ${releases.length} releases (${releases.map((release) => release.name).join(', ')}) on the Kubernetes testbed, ${ROUNDS} rounds`,
    );
  }
  await prepareNamespace(shoalNamespace);
  await prepareNamespace(helmNamespace);
  const shoal = (args: string[]) =>
    timed(SHOAL, ['--kubeconfig', kubeconfigPath, '--file', shoalFile, ...args], env);
  try {
    const coldShoal = async (): Promise<number> =>
      mustSucceed('shoal deploy (cold)', await shoal(['deploy'])).seconds;
    // The reference: the same charts, values files and inline values, one release after the other.
    const helmPerRelease: string[] = [];
    const coldHelm = async (): Promise<number> => {
      let total = 0;
      for (const release of releases) {
        const values = join(dirname(helmFile), `${release.name}.values.json`);
        writeFileSync(values, JSON.stringify(release.values));
        const run = mustSucceed(
          `helm upgrade --install ${release.name}`,
          await timed(
            helm,
            [
              'upgrade',
              '--install',
              release.name,
              release.chart,
              '--namespace',
              helmNamespace,
              '--kubeconfig',
              kubeconfigPath,
              '--wait',
              '--timeout',
              `${release.timeoutSeconds}s`,
              ...release.valuesFiles.flatMap((file) => ['--values', file]),
              '--values',
              values,
            ],
            env,
          ),
        );
        total += run.seconds;
        helmPerRelease.push(`${release.name} ${run.seconds.toFixed(1)}`);
      }
      return total;
    };
    let shoalSeconds: number;
    let helmSeconds: number;
    if (options.helmFirst) {
      helmSeconds = await coldHelm();
      shoalSeconds = await coldShoal();
    } else {
      shoalSeconds = await coldShoal();
      helmSeconds = await coldHelm();
    }
    const noops: number[] = [];
    const inProcess: number[] = [];
    for (let run = 0; run < NOOP_RUNS; run += 1) {
      const noop = mustSucceed('shoal deploy (no change)', await shoal(['deploy', '-o', 'json']));
      const report = JSON.parse(noop.output) as { changed: boolean; durationMs: number };
      if (report.changed) {
        throw new Error(`the second deploy changed something:\n${noop.output.slice(-4000)}`);
      }
      noops.push(noop.seconds);
      inProcess.push(report.durationMs / 1000);
    }
    return { shoal: shoalSeconds, helm: helmSeconds, helmPerRelease, noops, inProcess };
  } finally {
    // shoal and helm remove their cluster-scoped objects (the gateway's RBAC and IngressClass).
    await shoal(['destroy']);
    for (const release of [...releases].reverse()) {
      await timed(
        helm,
        [
          'uninstall',
          release.name,
          '--namespace',
          helmNamespace,
          '--kubeconfig',
          kubeconfigPath,
          '--ignore-not-found',
        ],
        env,
      );
    }
    await removeNamespace(shoalNamespace);
    await removeNamespace(helmNamespace);
  }
}

let announced = false;

await main();
