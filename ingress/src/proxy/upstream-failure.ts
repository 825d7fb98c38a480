// How a failed upstream call looks to the client: 502 when the upstream could not be reached
// or broke the exchange, 504 when it was too slow, 413 when the body went over its limit;
// 503 before any attempt when its Service has no ready endpoint.
import { HttpProblem } from '@shoal/kit';
import { BodyLimitExceededError, bodyTooLarge } from '../policy/body-limit.ts';

/** The upstream sent nothing for longer than the route's timeout. */
export class UpstreamTimeoutError extends Error {
  readonly code = 'UPSTREAM_TIMEOUT';
  constructor(timeoutMs: number) {
    super(`upstream sent nothing for ${timeoutMs} ms`);
    this.name = 'UpstreamTimeoutError';
  }
}

/**
 * The route's Service has no ready endpoint: nothing could take the request, for now (its
 * pods fail their readiness probes, or there are none). The client may try again shortly.
 */
export function noReadyUpstreamProblem(): HttpProblem {
  return new HttpProblem(503, 'Service Unavailable', {
    type: 'https://shoal.dev/problems/upstream-unavailable',
    detail: 'no instance of the upstream service is ready to take the request',
    headers: { 'Retry-After': '5' },
  });
}

const TIMEOUT_CODES = new Set(['UPSTREAM_TIMEOUT', 'ETIMEDOUT', 'ERR_UPSTREAM_UPGRADE_TIMEOUT']);

/** The problem for an upstream failure, and a short reason for the access log. */
export function upstreamProblem(error: unknown): { problem: HttpProblem; reason: string } {
  if (error instanceof BodyLimitExceededError) {
    return { problem: bodyTooLarge(error.limit), reason: 'body_too_large' };
  }
  const rawCode = (error as { code?: unknown } | undefined)?.code;
  const code = typeof rawCode === 'string' ? rawCode : 'UNKNOWN';
  if (TIMEOUT_CODES.has(code)) {
    return {
      problem: new HttpProblem(504, 'Gateway Timeout', {
        type: 'https://shoal.dev/problems/upstream-timeout',
        detail: 'the upstream service did not answer in time',
      }),
      reason: 'timeout',
    };
  }
  return {
    problem: new HttpProblem(502, 'Bad Gateway', {
      type: 'https://shoal.dev/problems/upstream-unavailable',
      detail: 'the upstream service could not be reached',
    }),
    reason: code.toLowerCase(),
  };
}
