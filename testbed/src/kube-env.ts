// Where tests find the Kubernetes testbed that `make kube-up` started: testbed/kube/kube.sh
// writes .testbed/kube.env (kubeconfig and kubectl paths) at the repo root.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { findRepoRoot, parseEnvFile } from './deps-env.ts';

/** Paths of the running Kubernetes testbed. */
export interface KubeTestbed {
  /** Admin kubeconfig (system:masters) of the testbed: <repo>/.testbed/kubeconfig. */
  kubeconfigPath: string;
  /** kubectl built at the testbed's Kubernetes version: $SHOAL_CACHE/kube/<version>/bin/kubectl. */
  kubectlPath: string;
  /** Directory of all testbed binaries (kube-apiserver, etcd, kwok, metrics-server, ...). */
  binDir: string;
  /** Kubernetes version of the testbed, e.g. v1.35.4. */
  version: string;
  /** The testbed etcd's client URL (plain HTTP on loopback), for tests that act on storage. */
  etcdUrl: string;
}

/** Reads .testbed/kube.env; throws "run `make kube-up` first" when the testbed was never started. */
export function loadKubeTestbed(file = join(findRepoRoot(), '.testbed', 'kube.env')): KubeTestbed {
  if (!existsSync(file)) {
    throw new Error(`${file} not found: run \`make kube-up\` first`);
  }
  const values = parseEnvFile(readFileSync(file, 'utf8'), file);
  const pick = (key: string): string => {
    const value = values[key];
    if (value === undefined || value === '') {
      throw new Error(`${file} lacks ${key}: run \`make kube-up\` again`);
    }
    return value;
  };
  return {
    kubeconfigPath: pick('KUBECONFIG'),
    kubectlPath: pick('KUBECTL'),
    binDir: pick('KUBE_BIN_DIR'),
    version: pick('KUBE_VERSION'),
    etcdUrl: pick('ETCD_URL'),
  };
}

/** A client configuration for the testbed's admin user. */
export function loadTestbedKubeConfig(testbed: KubeTestbed = loadKubeTestbed()): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(testbed.kubeconfigPath);
  return kubeConfig;
}
