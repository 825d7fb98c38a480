// Turns what client-node throws into one sentence a user can act on: API refusals by HTTP
// status, and network failures (refused, unresolvable, timed out) as "cannot reach the cluster".
import { ApiException } from '@kubernetes/client-node';
import { ExitCode } from './exit-codes.ts';
import { ShoalError } from './shoal-error.ts';

/** The fields of a metav1.Status that explain a refusal. */
export interface KubeStatus {
  code: number;
  reason: string;
  message: string;
  causes: { reason?: string; message?: string; field?: string }[];
}

/** Reads the metav1.Status from an ApiException (its body is JSON text or an object). */
export function kubeStatusOf(error: unknown): KubeStatus | undefined {
  if (!(error instanceof ApiException)) return undefined;
  const body: unknown = error.body;
  let status: { reason?: string; message?: string; details?: { causes?: KubeStatus['causes'] } } =
    {};
  if (typeof body === 'string') {
    try {
      status = JSON.parse(body) as typeof status;
    } catch {
      status = { message: body.slice(0, 300) };
    }
  } else if (typeof body === 'object' && body !== null) {
    status = body;
  }
  return {
    code: error.code,
    reason: status.reason ?? '',
    message: status.message ?? '',
    causes: status.details?.causes ?? [],
  };
}

/** True when the error is the API's 404 Not Found. */
export function isNotFound(error: unknown): boolean {
  return error instanceof ApiException && error.code === 404;
}

/** True when the error is the API's 409 Conflict (SSA conflicts, AlreadyExists). */
export function isConflict(error: unknown): boolean {
  return error instanceof ApiException && error.code === 409;
}

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not resolvable',
  ETIMEDOUT: 'timed out',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  CERT_HAS_EXPIRED: 'the server certificate has expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the server certificate is not trusted',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the server certificate is not trusted',
};

/** The network failure behind an error (walking `cause`), e.g. "connection refused". */
export function networkFailureOf(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES[code]) return NETWORK_CODES[code];
    current = (current as { cause?: unknown }).cause;
  }
  // fetch's own refusal ("fetch failed") with a cause that has no code (a bad port, a bad URL).
  if (error instanceof TypeError && error.message === 'fetch failed') {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? cause.message : 'the request failed';
  }
  return undefined;
}

/**
 * One sentence for an error from the API while doing `action` ("apply Deployment shoal/auth"),
 * as a ShoalError with the matching exit code; `server` names the cluster for network errors.
 */
export function describeKubeError(
  error: unknown,
  action: string,
  server = 'the cluster',
): ShoalError {
  if (error instanceof ShoalError) return error;
  const status = kubeStatusOf(error);
  if (status) {
    const message = status.message || status.reason || `HTTP ${status.code}`;
    const detail = (text: string): ShoalError =>
      new ShoalError(text, status.code === 409 ? ExitCode.Conflict : ExitCode.Cluster, {
        cause: error,
        details: { code: status.code, reason: status.reason, causes: status.causes },
      });
    switch (status.code) {
      case 401:
        return detail(
          `Cannot ${action}: the cluster at ${server} rejected our credentials (401 Unauthorized); check the kubeconfig user or log in again.`,
        );
      case 403:
        return detail(`Cannot ${action}: permission denied (403 Forbidden): ${message}.`);
      case 404:
        return detail(`Cannot ${action}: not found (404): ${message}.`);
      case 409:
        return detail(`Cannot ${action}: conflict (409): ${message}.`);
      case 422: {
        const causes = status.causes
          .map((cause) => [cause.field, cause.message].filter(Boolean).join(': '))
          .filter(Boolean);
        const why = causes.length > 0 ? causes.join('; ') : message;
        return detail(`Cannot ${action}: the API server rejected it as invalid (422): ${why}.`);
      }
      default:
        return detail(`Cannot ${action}: the API server answered ${status.code}: ${message}.`);
    }
  }
  const network = networkFailureOf(error);
  if (network) {
    return new ShoalError(
      `Cannot reach the cluster at ${server} (${network}); is it running, and is the kubeconfig context right?`,
      ExitCode.Cluster,
      { cause: error },
    );
  }
  const text = error instanceof Error ? error.message : String(error);
  return new ShoalError(`Cannot ${action}: ${text}`, ExitCode.Failed, { cause: error });
}
