// The Kubernetes API's answer when it refuses a request: client-node's ApiException carries
// the metav1.Status as raw JSON text; tests and callers want its fields.
import { ApiException } from '@kubernetes/client-node';

/** The parts of a refused request's metav1.Status that explain it. */
export interface KubeApiRefusal {
  /** HTTP status: 403 Forbidden, 409 Conflict, 422 Invalid, ... */
  code: number;
  /** Machine-readable reason: Forbidden, Conflict, AlreadyExists, ... */
  reason: string;
  message: string;
  /** details.causes: one entry per conflicting field or invalid value. */
  causes: { reason?: string; message?: string; field?: string }[];
}

/** Reads the Status out of an ApiException; undefined for any other error (network, bug). */
export function readKubeApiRefusal(error: unknown): KubeApiRefusal | undefined {
  if (!(error instanceof ApiException)) return undefined;
  const body: unknown = error.body;
  let status: {
    reason?: string;
    message?: string;
    details?: { causes?: KubeApiRefusal['causes'] };
  } = {};
  if (typeof body === 'string') {
    try {
      status = JSON.parse(body) as typeof status;
    } catch {
      status = { message: body }; // not a Status (a proxy's error page): keep the text
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

/** Runs a request that must be refused; resolves with the refusal, rejects if it succeeded. */
export async function expectKubeApiRefusal(request: Promise<unknown>): Promise<KubeApiRefusal> {
  let result: unknown;
  try {
    result = await request;
  } catch (error) {
    const refusal = readKubeApiRefusal(error);
    if (refusal) return refusal;
    throw error;
  }
  throw new Error(
    `expected the API to refuse the request, but it answered ${JSON.stringify(result).slice(0, 300)}`,
  );
}
