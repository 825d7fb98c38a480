// Jaeger's query API (`/api/traces/{id}`) as the journeys read it: a private Jaeger process
// locally, the in-cluster Jaeger through its Ingress on the kind cluster.
import { setTimeout as sleep } from 'node:timers/promises';
import type { FetchLike } from '../fetch-like.ts';

/** A span as Jaeger's query API (`/api/traces/{id}`) returns it. */
export interface JaegerSpan {
  readonly traceID: string;
  readonly spanID: string;
  readonly operationName: string;
  readonly processID: string;
  readonly references?: readonly { refType: string; traceID: string; spanID: string }[];
  readonly tags: readonly { key: string; value: unknown }[];
}

/** A trace with each span's service name resolved. */
export interface JaegerTrace {
  readonly traceID: string;
  readonly spans: readonly (JaegerSpan & { serviceName: string })[];
}

/** Reads traces by id. */
export interface TraceReader {
  /** Where the query API is (for messages). */
  readonly queryUrl: string;
  /** The trace with this id, or undefined while Jaeger has none of its spans. */
  trace(traceId: string): Promise<JaegerTrace | undefined>;
  /** Polls until the trace satisfies `done` (e.g. spans from five services), bounded. */
  waitForTrace(
    traceId: string,
    done: (trace: JaegerTrace) => boolean,
    timeoutMs?: number,
  ): Promise<JaegerTrace>;
}

interface RawTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}

/** A reader of the Jaeger query API at `queryUrl` (e.g. http://127.0.0.1:16686). */
export function jaegerQuery(queryUrl: string, fetchImpl: FetchLike = fetch): TraceReader {
  const trace = async (traceId: string): Promise<JaegerTrace | undefined> => {
    const response = await fetchImpl(`${queryUrl}/api/traces/${traceId}`);
    if (response.status === 404) return undefined;
    if (!response.ok)
      throw new Error(`jaeger ${queryUrl}/api/traces/${traceId}: ${response.status}`);
    const body = JSON.parse(await response.text()) as { data: RawTrace[] | null };
    const raw = body.data?.[0];
    if (raw === undefined) return undefined;
    return {
      traceID: raw.traceID,
      spans: raw.spans.map((span) => ({
        ...span,
        serviceName: raw.processes[span.processID]?.serviceName ?? '?',
      })),
    };
  };

  return {
    queryUrl,
    trace,
    async waitForTrace(traceId, done, timeoutMs = 30_000) {
      const until = Date.now() + timeoutMs;
      let last: JaegerTrace | undefined;
      for (;;) {
        last = await trace(traceId);
        if (last !== undefined && done(last)) return last;
        if (Date.now() > until) {
          const seen = last?.spans.map((s) => `${s.serviceName}:${s.operationName}`) ?? [];
          throw new Error(
            `trace ${traceId} incomplete after ${timeoutMs} ms; spans: ${seen.join(', ') || 'none'}`,
          );
        }
        await sleep(250);
      }
    },
  };
}
