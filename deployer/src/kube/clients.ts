// The API clients of one shoal run, made from the global --kubeconfig and --context options.
import { existsSync } from 'node:fs';
import { AppsV1Api, AutoscalingV2Api, CoreV1Api } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { usageError } from '../errors/shoal-error.ts';
import { ObjectApi } from './object-api.ts';
import { PooledKubeConfig } from './pooled-kube-config.ts';

/** Where to find the cluster: the global options. */
export interface KubeTarget {
  /** A kubeconfig file; default $KUBECONFIG, then ~/.kube/config. */
  kubeconfig?: string | undefined;
  /** A context of that kubeconfig; default its current-context. */
  context?: string | undefined;
}

/** The clients every verb uses. */
export interface KubeClients {
  config: KubeConfig;
  /** Generic objects by apiVersion/kind: server-side apply, reads, lists, deletes. */
  objects: ObjectApi;
  core: CoreV1Api;
  apps: AppsV1Api;
  autoscaling: AutoscalingV2Api;
  /** The API server's URL, for error messages. */
  server: string;
  /** The context in use. */
  contextName: string;
}

/** Loads the kubeconfig and makes the clients; a missing file or unknown context is a usage error. */
export function connectKube(target: KubeTarget = {}): KubeClients {
  const config: KubeConfig = new PooledKubeConfig();
  if (target.kubeconfig) {
    if (!existsSync(target.kubeconfig)) {
      throw usageError(`The kubeconfig file ${target.kubeconfig} does not exist.`);
    }
    config.loadFromFile(target.kubeconfig);
  } else {
    config.loadFromDefault();
  }
  if (target.context) {
    if (!config.getContextObject(target.context)) {
      const known = config.getContexts().map((context) => context.name);
      throw usageError(
        `The kubeconfig has no context "${target.context}" (it has: ${known.join(', ') || 'none'}).`,
      );
    }
    config.setCurrentContext(target.context);
  }
  const cluster = config.getCurrentCluster();
  if (!cluster) {
    throw usageError(
      'No cluster configured: pass --kubeconfig, set KUBECONFIG, or select a context with --context.',
    );
  }
  return {
    config,
    objects: ObjectApi.forConfig(config),
    core: config.makeApiClient(CoreV1Api),
    apps: config.makeApiClient(AppsV1Api),
    autoscaling: config.makeApiClient(AutoscalingV2Api),
    server: cluster.server,
    contextName: config.getCurrentContext(),
  };
}
