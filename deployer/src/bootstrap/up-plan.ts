// What `shoal up` does, as a list of commands: the plan `up --dry-run` prints and `up` runs.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { usageError } from '../errors/shoal-error.ts';
import type { Platform } from '../platform-file/platform.ts';
import { platformEndpoints } from './endpoints.ts';
import type { Endpoint } from './endpoints.ts';
import { serviceImages } from './service-images.ts';
import type { ServiceImage } from './service-images.ts';

/** One step, with the command it runs (the deploy runs in-process, its command is shown for reference). */
export interface UpStep {
  kind: 'cluster' | 'kubeconfig' | 'build' | 'load' | 'deploy';
  /** What progress lines call it: `build shoal/auth:3f2a9c0b1d2e`. */
  name: string;
  /** The command line. */
  command: string[];
  /** Its log's name under the plan's logDirectory, without `.log` (`build-auth`); none for the deploy (in-process, its progress is shown). */
  log?: string;
  /** When the step is skipped. */
  skippedWhen?: string;
  /** The image a build or load step is about. */
  image?: string;
}

/** The whole plan. */
export interface UpPlan {
  /** The repository root (where shoal.yaml, the Dockerfile and kind-config.yaml are). */
  root: string;
  cluster: string;
  kindConfig: string;
  /** The kubeconfig context kind makes: `kind-<cluster>`. */
  context: string;
  environment: string | undefined;
  /** Whether no registry answers: the offline image set, and no cluster creation. */
  offline: boolean;
  /** The environment's build.args, passed to every docker build. */
  buildArgs: Record<string, string>;
  /** Where each command's output goes: `.testbed/up/` beside the platform file. */
  logDirectory: string;
  images: ServiceImage[];
  steps: UpStep[];
  endpoints: Endpoint[];
}

/** Plans `up` for a platform (its file sits at the repository root, beside the Dockerfile). */
export function planUp(
  platform: Platform,
  options: {
    context?: string | undefined;
    kubeconfig?: string | undefined;
    /** No registry answers: kind could not pull its node image, so up never creates the cluster. */
    offline?: boolean;
  } = {},
): UpPlan {
  const root = dirname(platform.file);
  const kindConfig = join(root, 'kind-config.yaml');
  if (!existsSync(kindConfig)) {
    throw usageError(
      `shoal up needs ${kindConfig} (the kind cluster's configuration) beside ${platform.file}.`,
    );
  }
  if (!existsSync(join(root, 'Dockerfile'))) {
    throw usageError(`shoal up needs the Dockerfile beside ${platform.file} to build the images.`);
  }
  const cluster = clusterNameOf(kindConfig);
  const context = options.context ?? `kind-${cluster}`;
  // kind writes the cluster's context where shoal will read it: --kubeconfig, else its default.
  const kubeconfigFlag = options.kubeconfig ? ['--kubeconfig', options.kubeconfig] : [];
  const images = serviceImages(root, platform.releases, platform.buildArgs);
  const buildArgFlags = Object.entries(platform.buildArgs).flatMap(([name, value]) => [
    '--build-arg',
    `${name}=${value}`,
  ]);
  const steps: UpStep[] = [
    {
      kind: 'cluster',
      name: `cluster ${cluster}`,
      log: 'cluster',
      command: [
        'kind',
        'create',
        'cluster',
        '--config',
        kindConfig,
        '--name',
        cluster,
        ...kubeconfigFlag,
      ],
      skippedWhen: options.offline
        ? `kind get clusters lists ${cluster}; offline, up stops instead and asks for make kind-up (kind would pull its node image)`
        : `kind get clusters lists ${cluster}`,
    },
    {
      // An existing cluster's context may be missing from this kubeconfig (another KUBECONFIG).
      kind: 'kubeconfig',
      name: `kubeconfig ${context}`,
      log: 'kubeconfig',
      command: ['kind', 'export', 'kubeconfig', '--name', cluster, ...kubeconfigFlag],
      skippedWhen: 'the cluster was just created (kind create writes the context)',
    },
  ];
  for (const image of images) {
    steps.push({
      kind: 'build',
      name: `build ${image.image}`,
      log: `build-${image.service}`,
      command: [
        'docker',
        'build',
        '--build-arg',
        `SERVICE=${image.service}`,
        ...buildArgFlags,
        '-t',
        image.image,
        root,
      ],
      skippedWhen: `docker image inspect ${image.image} finds it (same inputs and build arguments, same tag)`,
      image: image.image,
    });
  }
  // One load of every image: kind saves them into one archive, so the layers they share (the
  // Node.js base, the common dependencies) cross to each node once, not once per service; and
  // it sends a node only the images it does not have yet.
  steps.push({
    kind: 'load',
    name: `load ${images.length} images`,
    log: 'load-images',
    command: [
      'kind',
      'load',
      'docker-image',
      ...images.map((image) => image.image),
      '--name',
      cluster,
    ],
  });
  steps.push({
    kind: 'deploy',
    name: `deploy ${platform.environment ? `environment ${platform.environment}` : platform.file}`,
    command: [
      'shoal',
      'deploy',
      '--file',
      platform.file,
      ...(platform.environment ? ['--env', platform.environment] : []),
      '--context',
      context,
      ...images.flatMap((image) => ['--image', `${image.release}=${image.image}`]),
    ],
  });
  return {
    root,
    cluster,
    kindConfig,
    context,
    environment: platform.environment,
    offline: options.offline ?? false,
    buildArgs: platform.buildArgs,
    logDirectory: join(root, '.testbed', 'up'),
    images,
    steps,
    endpoints: platformEndpoints(platform),
  };
}

/** The `name:` of a kind configuration (kind's default is "kind"). */
export function clusterNameOf(kindConfig: string): string {
  const parsed = parse(readFileSync(kindConfig, 'utf8')) as { name?: unknown } | null;
  return typeof parsed?.name === 'string' && parsed.name ? parsed.name : 'kind';
}

/** A command as a shell line (arguments with spaces quoted). */
export function commandLine(command: string[]): string {
  return command
    .map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`))
    .join(' ');
}
