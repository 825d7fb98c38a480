import assert from 'node:assert/strict';
import { ApiException } from '@kubernetes/client-node';
import type { KubernetesObject } from '@kubernetes/client-node';
import { readinessFailure, readinessFailuresToFail } from '../src/deploy/probe-failures.ts';
import { describeKubeError } from '../src/errors/kube-error.ts';
import { recorded } from './support/fixtures.ts';

/** An API refusal as client-node raises it: the HTTP code and the Status body as JSON text. */
function refusal(code: number, status: Record<string, unknown>): ApiException<string> {
  return new ApiException(code, 'refused', JSON.stringify({ kind: 'Status', code, ...status }), {});
}

describe('diagnosis and error sentences', () => {
  const pod = recorded('pod-never-ready');
  const event = (message: string, count: number, name = pod.metadata?.name): KubernetesObject =>
    ({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${name}.x` },
      involvedObject: { kind: 'Pod', name },
      reason: 'Unhealthy',
      message,
      count,
    }) as KubernetesObject;

  it('When a pod has failed readiness for less than a minute of its probe periods, then it is not failing yet (it may be starting); after a minute it is', () => {
    const failed = 'Readiness probe failed: HTTP probe failed with statuscode: 503';
    // The recorded pod has no readiness probe of its own: the kubelet's 10 s period, 6 failures.
    assert.equal(readinessFailure(pod, [event(failed, 5)]), undefined);
    assert.equal(
      readinessFailure(pod, [event(failed, 5), event('Liveness probe failed: x', 5)]),
      undefined,
    );
    assert.equal(readinessFailure(pod, [event(failed, 9, 'another-pod')]), undefined);
    assert.equal(
      readinessFailure(pod, [event(failed, 5), event(failed, 1)]),
      'readiness probe failing (x6): HTTP probe failed with statuscode: 503',
    );
  });

  it('When the readiness probe runs every 2 s, then it takes 30 failures (a minute) to call the pod failing, and never fewer than 3', () => {
    const withProbe = (periodSeconds: number): KubernetesObject =>
      ({
        ...pod,
        spec: { containers: [{ name: 'app', readinessProbe: { periodSeconds } }] },
      }) as KubernetesObject;
    assert.equal(readinessFailuresToFail(withProbe(2)), 30);
    assert.equal(readinessFailuresToFail(withProbe(5)), 12);
    assert.equal(readinessFailuresToFail(withProbe(60)), 3);
  });

  it('When the API refuses with 404, 409 or 422, then the sentence says what was refused and why, with exit 3 or 4', () => {
    const notFound = describeKubeError(
      refusal(404, { reason: 'NotFound', message: 'deployments.apps "auth" not found' }),
      'read Deployment shoal/auth',
    );
    assert.equal(
      notFound.message,
      'Cannot read Deployment shoal/auth: not found (404): deployments.apps "auth" not found.',
    );
    assert.equal(notFound.exitCode, 3);
    const conflict = describeKubeError(
      refusal(409, { reason: 'AlreadyExists', message: 'secrets "x" already exists' }),
      'record revision 1 of auth',
    );
    assert.equal(conflict.exitCode, 4);
    assert.match(conflict.message, /conflict \(409\): secrets "x" already exists/);
    const invalid = describeKubeError(
      refusal(422, {
        reason: 'Invalid',
        message: 'Deployment.apps "auth" is invalid',
        details: {
          causes: [{ field: 'spec.replicas', message: 'must be greater than or equal to 0' }],
        },
      }),
      'apply Deployment shoal/auth',
    );
    assert.equal(
      invalid.message,
      'Cannot apply Deployment shoal/auth: the API server rejected it as invalid (422): spec.replicas: must be greater than or equal to 0.',
    );
  });
});
