import type { Route, RouteTable } from './route-table.ts';

/** Where routes come from (the Kubernetes API, or a file for local runs). */
export interface RouteSource {
  /** Says where routes come from, for logs. */
  readonly description: string;
  /**
   * Starts delivering route tables: `onRoutes` gets the first one before the promise
   * resolves, then one per change. Rejects when the first table cannot be built.
   */
  start(onRoutes: (table: RouteTable) => void): Promise<void>;
  /** Stops watching; the last table stays in use. */
  stop(): Promise<void>;
  /**
   * Whether the route's backend can take requests: false when the source knows its Service
   * has no ready endpoint (the gateway then answers 503). Sources that cannot know omit it.
   */
  available?(route: Route): boolean;
}
