// The routes file for local runs: the same Ingress objects a chart would create, in YAML
// (several documents, or a `kind: List`), plus an optional LocalBackends document that says
// where each Service listens on this machine. The file is re-read when it changes.
import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { V1Ingress } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import type { Logger } from '@shoal/kit';
import { clusterDnsResolver, routesFromIngresses } from './ingress-routes.ts';
import type { BackendResolver, IngressProblem } from './ingress-routes.ts';
import type { RoutePolicy } from './route-policy.ts';
import type { RouteSource } from './route-source.ts';
import { RouteTable } from './route-table.ts';

/** apiVersion of the LocalBackends document. */
export const LOCAL_BACKENDS_API_VERSION = 'gateway.shoal.dev/v1';

/** What a routes file holds once parsed. */
export interface RoutesFileContent {
  ingresses: V1Ingress[];
  /** `<service>.<namespace>:<port>` → base URL, from the LocalBackends document. */
  backends: Map<string, URL>;
}

/** A routes file that cannot be used, with the file and the reason. */
export class RoutesFileError extends Error {
  constructor(file: string, reason: string) {
    super(`routes file ${file}: ${reason}`);
    this.name = 'RoutesFileError';
  }
}

/** Parses the text of a routes file; throws RoutesFileError on anything it cannot use. */
export function parseRoutesFile(text: string, file: string): RoutesFileContent {
  const ingresses: V1Ingress[] = [];
  const backends = new Map<string, URL>();
  const documents = parseAllDocuments(text);
  if (!Array.isArray(documents)) throw new RoutesFileError(file, 'not a YAML stream');
  documents.forEach((document, index) => {
    if (document.errors.length > 0) {
      throw new RoutesFileError(
        file,
        `document ${index + 1}: ${document.errors[0]?.message ?? 'bad YAML'}`,
      );
    }
    const value: unknown = document.toJS();
    if (value === null || value === undefined) return;
    collect(value, `document ${index + 1}`);
  });
  return { ingresses, backends };

  function collect(value: unknown, where: string): void {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new RoutesFileError(file, `${where} must be an object with apiVersion and kind`);
    }
    const object = value as { apiVersion?: unknown; kind?: unknown; items?: unknown };
    if (object.kind === 'List' && Array.isArray(object.items)) {
      object.items.forEach((item, i) => collect(item, `${where} items[${i}]`));
    } else if (object.kind === 'Ingress' && object.apiVersion === 'networking.k8s.io/v1') {
      ingresses.push(object as V1Ingress);
    } else if (
      object.kind === 'LocalBackends' &&
      object.apiVersion === LOCAL_BACKENDS_API_VERSION
    ) {
      readBackends((object as { backends?: unknown }).backends, where);
    } else {
      throw new RoutesFileError(
        file,
        `${where}: expected networking.k8s.io/v1 Ingress, List or ${LOCAL_BACKENDS_API_VERSION} LocalBackends, got ${String(object.apiVersion)} ${String(object.kind)}`,
      );
    }
  }

  function readBackends(entries: unknown, where: string): void {
    if (typeof entries !== 'object' || entries === null) {
      throw new RoutesFileError(
        file,
        `${where}: backends must map "service.namespace:port" to URLs`,
      );
    }
    for (const [key, url] of Object.entries(entries)) {
      if (!/^[a-z0-9-]+\.[a-z0-9-]+:\d{1,5}$/.test(key)) {
        throw new RoutesFileError(
          file,
          `${where}: backend key "${key}" is not service.namespace:port`,
        );
      }
      let parsed: URL;
      try {
        parsed = new URL(String(url));
      } catch {
        throw new RoutesFileError(file, `${where}: backend "${key}" has no valid URL`);
      }
      if (parsed.protocol !== 'http:') {
        throw new RoutesFileError(file, `${where}: backend "${key}" must be an http:// URL`);
      }
      backends.set(key, parsed);
    }
  }
}

/** Resolves Services through the file's LocalBackends first, then cluster DNS. */
export function localBackendResolver(
  backends: ReadonlyMap<string, URL>,
  fallback: BackendResolver = clusterDnsResolver(),
): BackendResolver {
  return (backend) =>
    backends.get(`${backend.name}.${backend.namespace}:${backend.port}`) ?? fallback(backend);
}

/** Options of the file route source. */
export interface RoutesFileSourceOptions {
  file: string;
  /** Only Ingresses of this class (or of none) are served. */
  ingressClass: string;
  defaults: RoutePolicy;
  logger: Logger;
  /** Reload when the file changes (default true). */
  watch?: boolean;
}

/** Routes from a YAML file, reloaded on change; a broken edit keeps the last good routes. */
export class RoutesFileSource implements RouteSource {
  readonly description: string;
  readonly #options: RoutesFileSourceOptions;
  #watcher: FSWatcher | undefined;
  #reloadTimer: NodeJS.Timeout | undefined;

  constructor(options: RoutesFileSourceOptions) {
    this.#options = options;
    this.description = `file ${options.file}`;
  }

  async start(onRoutes: (table: RouteTable) => void): Promise<void> {
    onRoutes(await this.#load());
    if (this.#options.watch === false) return;
    // Watch the directory, not the file: editors and ConfigMap mounts replace the file (a new
    // inode), which a watch on the file itself would never see.
    const name = basename(this.#options.file);
    this.#watcher = watch(dirname(this.#options.file), (_event, changed) => {
      if (changed !== null && changed !== name && !changed.startsWith('..')) return;
      // Editors write in several steps; settle before re-reading.
      clearTimeout(this.#reloadTimer);
      this.#reloadTimer = setTimeout(() => {
        this.#load().then(onRoutes, (error: unknown) =>
          this.#options.logger.error('routes file rejected, keeping the previous routes', {
            error: (error as Error).message,
          }),
        );
      }, 50);
    });
  }

  stop(): Promise<void> {
    clearTimeout(this.#reloadTimer);
    this.#watcher?.close();
    this.#watcher = undefined;
    return Promise.resolve();
  }

  async #load(): Promise<RouteTable> {
    const { file, ingressClass, defaults, logger } = this.#options;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new RoutesFileError(file, (error as Error).message);
    }
    const content = parseRoutesFile(text, file);
    const served = content.ingresses.filter((ingress) => {
      const className = ingress.spec?.ingressClassName;
      return className === undefined || className === ingressClass;
    });
    const { routes, problems } = routesFromIngresses(
      served,
      defaults,
      localBackendResolver(content.backends),
    );
    reportProblems(problems, logger);
    logger.info('routes loaded', { source: this.description, routes: routes.length });
    return new RouteTable(routes);
  }
}

/** Logs every Ingress that was refused, so an operator sees why a route is missing. */
export function reportProblems(problems: readonly IngressProblem[], logger: Logger): void {
  for (const problem of problems) {
    logger.warn('ingress not served', { ingress: problem.ingress, error: problem.error });
  }
}
