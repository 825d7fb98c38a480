// What `shoal up` needs on the machine, checked before anything is done: a reachable Docker
// engine (not just its CLI), kind and helm; kubectl is optional. Each missing one gets its own
// sentence saying what it is for and how to get it.
import { findHelm } from '../render/helm-binary.ts';
import { runTool } from './run-tool.ts';

/** The verdict on one tool. */
export interface PrerequisiteCheck {
  tool: 'docker' | 'kind' | 'helm' | 'kubectl';
  ok: boolean;
  /** A missing optional tool does not stop `up`. */
  required: boolean;
  /** The version found, or what is wrong and how to fix it. */
  detail: string;
}

const TIMEOUT_MS = 15_000;

/** Checks every prerequisite (in parallel) with the given environment (PATH, DOCKER_HOST, SHOAL_HELM). */
export async function checkPrerequisites(env: NodeJS.ProcessEnv): Promise<PrerequisiteCheck[]> {
  return Promise.all([checkDocker(env), checkKind(env), checkHelm(env), checkKubectl(env)]);
}

/** The checks that fail and are required. */
export function missingRequired(checks: PrerequisiteCheck[]): PrerequisiteCheck[] {
  return checks.filter((check) => check.required && !check.ok);
}

async function checkDocker(env: NodeJS.ProcessEnv): Promise<PrerequisiteCheck> {
  const result = await runTool('docker', ['version', '--format', '{{.Server.Version}}'], {
    env,
    timeoutMs: TIMEOUT_MS,
  });
  if (result.missing) {
    return {
      tool: 'docker',
      ok: false,
      required: true,
      detail:
        'docker is not installed: shoal up builds the service images and runs the kind cluster with it; install Docker Engine (https://docs.docker.com/engine/install/) or Docker Desktop.',
    };
  }
  if (result.code !== 0 || !result.stdout.trim()) {
    const why = firstLine(result.stderr) || `docker version exited ${result.code}`;
    return {
      tool: 'docker',
      ok: false,
      required: true,
      detail: `the Docker engine is not reachable (${why}): start it (systemctl start docker, or open Docker Desktop), or point DOCKER_HOST at a running one.`,
    };
  }
  return { tool: 'docker', ok: true, required: true, detail: `engine ${result.stdout.trim()}` };
}

async function checkKind(env: NodeJS.ProcessEnv): Promise<PrerequisiteCheck> {
  const result = await runTool('kind', ['version'], { env, timeoutMs: TIMEOUT_MS });
  if (result.missing || result.code !== 0) {
    return {
      tool: 'kind',
      ok: false,
      required: true,
      detail:
        'kind is not installed: shoal up creates the local cluster from kind-config.yaml with it; install kind v0.33+ (go install sigs.k8s.io/kind@v0.33.0, or https://kind.sigs.k8s.io/docs/user/quick-start/#installation).',
    };
  }
  return { tool: 'kind', ok: true, required: true, detail: firstLine(result.stdout) };
}

async function checkHelm(env: NodeJS.ProcessEnv): Promise<PrerequisiteCheck> {
  let helm: string;
  try {
    helm = findHelm(env);
  } catch (error) {
    return { tool: 'helm', ok: false, required: true, detail: (error as Error).message };
  }
  const result = await runTool(helm, ['version', '--short'], { env, timeoutMs: TIMEOUT_MS });
  if (result.code !== 0) {
    return {
      tool: 'helm',
      ok: false,
      required: true,
      detail: `helm at ${helm} does not run (${firstLine(result.stderr) || `exit ${result.code}`}): reinstall it or set SHOAL_HELM to a working one.`,
    };
  }
  return { tool: 'helm', ok: true, required: true, detail: firstLine(result.stdout) };
}

async function checkKubectl(env: NodeJS.ProcessEnv): Promise<PrerequisiteCheck> {
  const result = await runTool('kubectl', ['version', '--client'], { env, timeoutMs: TIMEOUT_MS });
  if (result.missing || result.code !== 0) {
    return {
      tool: 'kubectl',
      ok: false,
      required: false,
      detail:
        'kubectl not found (optional: shoal talks to the API itself; kubectl is handy for looking around).',
    };
  }
  return { tool: 'kubectl', ok: true, required: false, detail: firstLine(result.stdout) };
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0]?.trim() ?? '';
}
