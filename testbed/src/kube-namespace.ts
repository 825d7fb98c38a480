// Gives a mocha suite its own namespace on the Kubernetes testbed and removes it afterwards,
// so suites never see each other's objects and leave nothing behind.
import { ApiException, CoreV1Api } from '@kubernetes/client-node';
import type { KubeConfig, V1Namespace, V1ServiceAccount } from '@kubernetes/client-node';
import { loadTestbedKubeConfig } from './kube-env.ts';
import { waitForDeletion, waitForObject } from './kube-wait.ts';
import { uniqueName } from './unique-name.ts';

/** Label on every namespace made here: `kubectl delete ns -l testbed.shoal.dev/test-namespace` cleans up after a killed run. */
export const TEST_NAMESPACE_LABEL = 'testbed.shoal.dev/test-namespace';

/** Options of a test namespace. */
export interface TestNamespaceOptions {
  /** Extra namespace labels, e.g. `pod-security.kubernetes.io/enforce: restricted`. */
  labels?: Record<string, string>;
  /** Client configuration (default: the testbed's admin). */
  kubeConfig?: KubeConfig;
}

/** A suite's namespace; `name` is set once the suite's `before` hook has run. */
export interface TestNamespace {
  readonly name: string;
  readonly kubeConfig: KubeConfig;
}

/**
 * Call inside `describe`: creates a fresh namespace (`<prefix>-<random>`) before the suite's
 * tests and deletes it, waiting until it is gone, after them.
 */
export function useTestNamespace(
  prefix: string,
  options: TestNamespaceOptions = {},
): TestNamespace {
  let name: string | undefined;
  let kubeConfig = options.kubeConfig;
  const handle: TestNamespace = {
    get name(): string {
      if (name === undefined)
        throw new Error(`test namespace "${prefix}" is used before its before() hook ran`);
      return name;
    },
    get kubeConfig(): KubeConfig {
      kubeConfig ??= loadTestbedKubeConfig();
      return kubeConfig;
    },
  };
  const { before, after } = mochaHooks();
  before(async function () {
    this.timeout(120_000);
    name = await createTestNamespace(prefix, { ...options, kubeConfig: handle.kubeConfig });
  });
  after(async function () {
    this.timeout(120_000);
    if (name !== undefined) await deleteTestNamespace(name, handle.kubeConfig);
  });
  return handle;
}

/** The part of mocha's hook API used here. */
interface MochaHooks {
  before: (hook: (this: { timeout(ms: number): void }) => Promise<void>) => void;
  after: (hook: (this: { timeout(ms: number): void }) => Promise<void>) => void;
}

// Read from the globals mocha installs rather than through @types/mocha, so packages that
// import @shoal/testbed without mocha's types still typecheck.
function mochaHooks(): MochaHooks {
  const globals = globalThis as unknown as Partial<MochaHooks>;
  if (typeof globals.before !== 'function' || typeof globals.after !== 'function') {
    throw new Error('useTestNamespace() must be called inside a mocha describe()');
  }
  return { before: globals.before, after: globals.after };
}

/** Creates a uniquely named namespace and waits until pods can be made in it (its default ServiceAccount exists). */
export async function createTestNamespace(
  prefix: string,
  options: TestNamespaceOptions = {},
): Promise<string> {
  const kubeConfig = options.kubeConfig ?? loadTestbedKubeConfig();
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const name = uniqueName(prefix);
  const body: V1Namespace = {
    metadata: { name, labels: { [TEST_NAMESPACE_LABEL]: 'true', ...options.labels } },
  };
  await core.createNamespace({ body });
  // The serviceaccount controller adds `default` shortly after; pods created before it
  // would be refused by the ServiceAccount admission plugin.
  await waitForObject<V1ServiceAccount>({
    kubeConfig,
    collectionPath: `/api/v1/namespaces/${name}/serviceaccounts`,
    name: 'default',
    until: () => true,
    description: `the default ServiceAccount of namespace ${name}`,
  });
  return name;
}

/** Deletes a namespace and waits until the namespace controller has removed it and its content. */
export async function deleteTestNamespace(name: string, kubeConfig?: KubeConfig): Promise<void> {
  const config = kubeConfig ?? loadTestbedKubeConfig();
  const core = config.makeApiClient(CoreV1Api);
  try {
    await core.deleteNamespace({ name });
  } catch (error) {
    if (error instanceof ApiException && error.code === 404) return;
    throw error;
  }
  await waitForDeletion({
    kubeConfig: config,
    collectionPath: '/api/v1/namespaces',
    name,
    description: `namespace ${name} to be deleted`,
    timeoutMs: 110_000,
    exists: async () => {
      try {
        await core.readNamespace({ name });
        return true;
      } catch (error) {
        if (error instanceof ApiException && error.code === 404) return false;
        throw error;
      }
    },
  });
}
