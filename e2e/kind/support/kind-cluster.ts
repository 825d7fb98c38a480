// The kind cluster `make deploy` made and the namespace the platform runs in, as the deployer
// sees them: its kubeconfig (.testbed/kind/kubeconfig, context kind-shoal) through
// @kubernetes/client-node.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppsV1Api, CoreV1Api, KubeConfig, NetworkingV1Api } from '@kubernetes/client-node';
import { findRepoRoot } from '@shoal/testbed';
import { parse } from 'yaml';

/** The cluster and the platform's namespace in it. */
export interface KindCluster {
  readonly repoRoot: string;
  /** The kind cluster's name (kind-config.yaml): its nodes are Docker containers named after it. */
  readonly name: string;
  readonly kubeconfigPath: string;
  readonly context: string;
  /** Where the platform runs (shoal.yaml's namespace). */
  readonly namespace: string;
  readonly kubeConfig: KubeConfig;
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly networking: NetworkingV1Api;
}

/**
 * Connects to the cluster: SHOAL_KIND_KUBECONFIG, SHOAL_KIND_CONTEXT and SHOAL_KIND_NAMESPACE
 * override the defaults (.testbed/kind/kubeconfig, kind-<cluster>, shoal.yaml's namespace).
 */
export function connectKindCluster(): KindCluster {
  const repoRoot = findRepoRoot();
  const kindConfig = parse(readFileSync(join(repoRoot, 'kind-config.yaml'), 'utf8')) as {
    name?: string;
  };
  const platformFile = parse(readFileSync(join(repoRoot, 'shoal.yaml'), 'utf8')) as {
    namespace?: string;
  };
  const name = kindConfig.name ?? 'kind';
  const kubeconfigPath =
    process.env['SHOAL_KIND_KUBECONFIG'] ?? join(repoRoot, '.testbed', 'kind', 'kubeconfig');
  const context = process.env['SHOAL_KIND_CONTEXT'] ?? `kind-${name}`;
  const namespace = process.env['SHOAL_KIND_NAMESPACE'] ?? platformFile.namespace ?? 'shoal';
  if (!existsSync(kubeconfigPath)) {
    throw new Error(
      `${kubeconfigPath} not found: the kind cluster is not up (run \`make deploy\` first)`,
    );
  }
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kubeconfigPath);
  if (kubeConfig.getContextObject(context) === null) {
    throw new Error(`${kubeconfigPath} has no context ${context}`);
  }
  kubeConfig.setCurrentContext(context);
  return {
    repoRoot,
    name,
    kubeconfigPath,
    context,
    namespace,
    kubeConfig,
    core: kubeConfig.makeApiClient(CoreV1Api),
    apps: kubeConfig.makeApiClient(AppsV1Api),
    networking: kubeConfig.makeApiClient(NetworkingV1Api),
  };
}
