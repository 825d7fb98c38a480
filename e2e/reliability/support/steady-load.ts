// Steady traffic through the gateway while something is broken on purpose: a few workers
// looping over a mix of requests, each outcome recorded, so a test can say exactly how many
// requests ran during the fault and which (if any) failed.
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, fetch } from 'undici';

/**
 * The load's connection pool. An idle keep-alive connection is closed by the client after
 * 500 ms, below the platform's drain (SHUTDOWN_DELAY_MS, 1 s): a draining instance answers
 * `Connection: close` to every request it still gets, so the only connections it closes
 * itself are ones idle for the whole drain, and the client has dropped those already. (With
 * fetch's default 4 s, a request could go out on a connection at the very moment the
 * draining instance closed it: lost, and not ours to retry unless idempotent.) The gateway
 * keeps the same rule towards the services (UPSTREAM_KEEPALIVE_MS).
 */
const loadClient = new Agent({ keepAliveTimeout: 500, keepAliveMaxTimeout: 500 });

/**
 * One kind of request in the mix: returns the status, throws on a network failure. `sequence`
 * grows across the whole load; `worker` is the loop sending it (0..workers-1).
 */
export type LoadRequest = (sequence: number, worker: number) => Promise<number>;

/** A named request and the statuses that count as success for it. */
export interface LoadRoute {
  readonly name: string;
  readonly send: LoadRequest;
  /** Default: any 2xx. */
  readonly ok?: (status: number) => boolean;
  /**
   * A GET: when its connection fails before any response (a keep-alive socket the server closed
   * just as it was reused), it is sent once more, as RFC 9112 §9.3.1 lets a client do for an
   * idempotent request. Retries are counted in the report; a non-idempotent route never retries.
   */
  readonly idempotent?: boolean;
}

/** The pause of a loop after a failed request. */
const FAILURE_PAUSE_MS = 100;

/** What went wrong with one request. */
export interface LoadFailure {
  readonly route: string;
  readonly outcome: string;
  readonly at: Date;
}

/** The tally of a load run. */
export interface LoadReport {
  readonly total: number;
  /** Idempotent requests sent a second time after a connection failure without a response. */
  readonly retried: number;
  readonly succeeded: number;
  readonly byRoute: Record<string, number>;
  readonly failures: readonly LoadFailure[];
}

/** A running load. */
export interface SteadyLoad {
  /** Requests completed so far. */
  completed(): number;
  /** Resolves once `count` more requests have completed (proof that traffic flows). */
  waitForMore(count: number): Promise<void>;
  /** Stops the workers and returns the tally. */
  stop(): Promise<LoadReport>;
}

/** How the load runs. */
export interface LoadOptions {
  /** Concurrent loops (default 6). */
  readonly workers?: number;
  /** Pause after each request (default 5 ms). */
  readonly pauseMs?: number;
  /** One loop per route, each sending only its own (default false: every loop cycles). */
  readonly pinned?: boolean;
}

/**
 * Starts concurrent loops, each sending the routes in turn (loop i starts at route i), with a
 * small pause between requests so the load stays steady instead of saturating two shared cores.
 * Pinned: one loop per route, so no two requests of one route overlap.
 */
export function startSteadyLoad(
  routes: readonly LoadRoute[],
  options: LoadOptions = {},
): SteadyLoad {
  const pinned = options.pinned ?? false;
  const workers = pinned ? routes.length : (options.workers ?? 6);
  const pauseMs = options.pauseMs ?? 5;
  let running = true;
  let total = 0;
  let succeeded = 0;
  let sequence = 0;
  let retried = 0;
  const byRoute: Record<string, number> = {};
  const failures: LoadFailure[] = [];
  const loops = Array.from({ length: workers }, async (_, worker) => {
    let index = worker;
    while (running) {
      const route = routes[index % routes.length] as LoadRoute;
      if (!pinned) index += 1;
      sequence += 1;
      let outcome: string;
      try {
        let status: number;
        try {
          status = await route.send(sequence, worker);
        } catch (error) {
          if (!route.idempotent) throw error;
          retried += 1;
          status = await route.send(sequence, worker);
        }
        outcome = (route.ok ?? ((s: number) => s >= 200 && s < 300))(status)
          ? 'ok'
          : `status ${status}`;
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause;
        outcome = `network ${cause?.code ?? (error as Error).message}`;
      }
      total += 1;
      byRoute[route.name] = (byRoute[route.name] ?? 0) + 1;
      if (outcome === 'ok') succeeded += 1;
      else failures.push({ route: route.name, outcome, at: new Date() });
      // After a failure, back off a little: a dead upstream answers at once, and a tight loop
      // of refusals would only take the shared cores from the recovery being watched.
      const pause = outcome === 'ok' ? pauseMs : Math.max(pauseMs, FAILURE_PAUSE_MS);
      if (pause > 0) await sleep(pause);
    }
  });
  return {
    completed: () => total,
    async waitForMore(count) {
      const target = total + count;
      const deadline = Date.now() + 60_000;
      while (total < target) {
        if (Date.now() > deadline) throw new Error(`load stalled: ${total} of ${target} requests`);
        await sleep(50);
      }
    },
    async stop() {
      running = false;
      await Promise.all(loops);
      return { total, retried, succeeded, byRoute: { ...byRoute }, failures: [...failures] };
    },
  };
}

/** `GET url` with a bearer token; resolves to the status (the body is read and dropped). */
export async function getStatus(url: string, token?: string): Promise<number> {
  const response = await fetch(url, {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(15_000),
    dispatcher: loadClient,
  });
  await response.arrayBuffer();
  return response.status;
}

/** A JSON request; resolves to the status. */
export async function sendJson(
  method: string,
  url: string,
  body: unknown,
  token?: string,
): Promise<number> {
  const response = await fetch(url, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
    dispatcher: loadClient,
  });
  await response.arrayBuffer();
  return response.status;
}
