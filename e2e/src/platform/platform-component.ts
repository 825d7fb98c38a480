// One component of the running platform, the way a Deployment and its Service are one thing
// in the cluster: a stable balancer address in front of N instances that can be added,
// removed, restarted one by one or killed.
import type { ComponentName } from './components.ts';
import type { EndpointBalancer } from './endpoint-balancer.ts';
import { freePort } from './free-port.ts';
import { ServiceInstance } from './service-instance.ts';
import type { InstanceSpec } from './service-instance.ts';

/** Makes the spec of a new instance from its id and ports. */
export type InstanceSpecFactory = (id: string, port: number, adminPort: number) => InstanceSpec;

/** A component's instances behind its balancer. */
export class PlatformComponent {
  readonly name: ComponentName;
  readonly #balancer: EndpointBalancer;
  readonly #makeSpec: InstanceSpecFactory;
  readonly #instances: ServiceInstance[] = [];
  #created = 0;

  constructor(name: ComponentName, balancer: EndpointBalancer, makeSpec: InstanceSpecFactory) {
    this.name = name;
    this.#balancer = balancer;
    this.#makeSpec = makeSpec;
  }

  /** The stable address (the balancer): what the gateway and the other services call. */
  get url(): string {
    return this.#balancer.url;
  }

  get port(): number {
    return this.#balancer.port;
  }

  /** The instances, oldest first (stopped ones included until removed). */
  instances(): ServiceInstance[] {
    return [...this.#instances];
  }

  /** Starts one more instance and puts it behind the balancer once it is ready. */
  async addInstance(): Promise<ServiceInstance> {
    this.#created += 1;
    const instance = new ServiceInstance(
      this.#makeSpec(`${this.name}-${this.#created}`, await freePort(), await freePort()),
    );
    this.#instances.push(instance);
    this.#balancer.add(instance);
    try {
      await instance.start();
    } catch (error) {
      this.#forget(instance);
      throw error;
    }
    return instance;
  }

  /** Stops an instance the orderly way and takes it from behind the balancer. */
  async removeInstance(instance: ServiceInstance): Promise<void> {
    await instance.stop();
    this.#forget(instance);
  }

  /** Adds or removes instances (newest first) until `count` run. */
  async scale(count: number): Promise<void> {
    while (this.#instances.length < count) await this.addInstance();
    while (this.#instances.length > count) {
      await this.removeInstance(this.#instances[this.#instances.length - 1] as ServiceInstance);
    }
  }

  /** Restarts every instance, one at a time, each ready before the next goes down. */
  async rollingRestart(): Promise<void> {
    for (const instance of this.instances()) await instance.restart();
  }

  /** Stops every instance (in parallel, each the orderly way). */
  async stopAll(): Promise<void> {
    await Promise.all(this.#instances.map((instance) => instance.stop()));
  }

  #forget(instance: ServiceInstance): void {
    this.#balancer.remove(instance.id);
    const index = this.#instances.indexOf(instance);
    if (index >= 0) this.#instances.splice(index, 1);
  }
}
