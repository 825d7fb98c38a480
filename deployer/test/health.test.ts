import assert from 'node:assert/strict';
import type { KubernetesObject } from '@kubernetes/client-node';
import { objectHealth, releaseHealth, worstOf } from '../src/health/index.ts';
import { recorded } from './support/fixtures.ts';

type Mutable = KubernetesObject & {
  status?: Record<string, unknown>;
  spec?: Record<string, unknown>;
};

describe('health rules on recorded objects', () => {
  const cases: [fixture: string, status: string, reason: RegExp][] = [
    ['deployment-available', 'Healthy', /2 of 2 replicas available/],
    ['deployment-rolling', 'Progressing', /1 of 2 replicas updated/],
    ['deployment-paused', 'Suspended', /paused/],
    ['deployment-deadline-exceeded', 'Degraded', /progress deadline exceeded/],
    ['statefulset-ready', 'Healthy', /1 of 1 replicas ready/],
    ['statefulset-starting', 'Progressing', /0 of 1 replicas ready/],
    ['hpa-new', 'Healthy', /not evaluated by the autoscaler yet \(3\.\.5\)/],
    ['hpa-at-minimum', 'Healthy', /3 replicas within 3\.\.5/],
    ['hpa-missing-target', 'Degraded', /FailedGetScale/],
    ['pod-ready', 'Healthy', /ready/],
    ['pod-crash-loop', 'Degraded', /CrashLoopBackOff, last exit code 1 \(Error\), \d+ restarts/],
    ['pod-image-pull', 'Degraded', /container app: ImagePullBackOff/],
    ['pod-unschedulable', 'Degraded', /unschedulable: 0\/3 nodes are available/],
    ['pod-never-ready', 'Progressing', /running, not ready: app/],
    ['pvc-pending', 'Progressing', /waiting for a volume/],
    ['service-loadbalancer-pending', 'Progressing', /load-balancer address/],
  ];
  for (const [fixture, status, reason] of cases) {
    it(`When the object is ${fixture}, then it is ${status}`, () => {
      const health = objectHealth(recorded(fixture));
      assert.equal(health.status, status, health.reason);
      assert.match(health.reason, reason);
    });
  }

  it('When a Deployment has a generation its controller has not observed, then it is Progressing whatever its counts say', () => {
    const deployment = recorded<Mutable>('deployment-available');
    deployment.metadata = { ...deployment.metadata, generation: 9 };
    assert.equal(objectHealth(deployment).status, 'Progressing');
    assert.match(objectHealth(deployment).reason, /not yet seen generation 9/);
  });

  it('When old replicas are still terminating after every replica was updated, then the Deployment is Progressing', () => {
    const deployment = recorded<Mutable>('deployment-available');
    deployment.status = { ...deployment.status, replicas: 3 };
    assert.deepEqual(objectHealth(deployment), {
      status: 'Progressing',
      reason: '1 old replica(s) pending termination',
    });
  });

  it('When an evaluated HPA has not yet brought its target to the minimum, then it is Progressing', () => {
    const hpa = recorded<Mutable>('hpa-at-minimum');
    hpa.status = { ...hpa.status, currentReplicas: 1 };
    assert.deepEqual(objectHealth(hpa), {
      status: 'Progressing',
      reason: 'waiting for the autoscaler: 1 of at least 3 replicas',
    });
  });

  it('When a pod is unschedulable only because its claim is not bound yet, then it is Progressing, not Degraded', () => {
    const pod = recorded<Mutable>('pod-unschedulable');
    const conditions = (pod.status?.conditions ?? []) as { type: string; message?: string }[];
    for (const condition of conditions) {
      if (condition.type === 'PodScheduled') {
        condition.message =
          '0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims.';
      }
    }
    assert.equal(objectHealth(pod).status, 'Progressing');
  });

  describe('a container the runtime failed to start (StartError, as kind showed on a busy cgroup v1 host)', () => {
    const failedStart = (restartCount: number): Mutable => {
      const pod = recorded<Mutable>('pod-crash-loop');
      const statuses = pod.status?.containerStatuses as Record<string, unknown>[];
      statuses[0] = {
        ...statuses[0],
        restartCount,
        lastState: { terminated: { exitCode: 128, reason: 'StartError' } },
        state: {
          waiting: {
            reason: 'RunContainerError',
            message: 'runc create failed: unable to start container process: unable to freeze',
          },
        },
      };
      return pod;
    };

    it('When it failed once, then the pod is Progressing: the kubelet retries', () => {
      const health = objectHealth(failedStart(0));
      assert.equal(health.status, 'Progressing');
      assert.match(
        health.reason,
        /failed to start it once; the kubelet retries \(.*unable to freeze\)/,
      );
    });

    it('When it failed again after a retry, then the pod is Degraded with the runtime error', () => {
      const health = objectHealth(failedStart(1));
      assert.equal(health.status, 'Degraded');
      assert.match(
        health.reason,
        /RunContainerError, last exit code 128 \(StartError\), 1 restarts/,
      );
    });
  });

  it('When an object is being deleted, then it is Progressing', () => {
    const pod = recorded<Mutable>('pod-ready');
    pod.metadata = { ...pod.metadata, deletionTimestamp: new Date() };
    assert.deepEqual(objectHealth(pod), { status: 'Progressing', reason: 'being deleted' });
  });

  it('When the object is not there, then it is Missing', () => {
    assert.equal(objectHealth(undefined).status, 'Missing');
  });

  it('When a custom resource reports kstatus conditions, then Stalled is Degraded, Ready=False Progressing, Ready=True Healthy', () => {
    const resource = (
      conditions: { type: string; status: string; reason?: string }[],
    ): Mutable => ({
      apiVersion: 'example.dev/v1',
      kind: 'Widget',
      metadata: { name: 'w', generation: 2 },
      status: { observedGeneration: 2, conditions },
    });
    assert.equal(
      objectHealth(resource([{ type: 'Stalled', status: 'True', reason: 'Broken' }])).status,
      'Degraded',
    );
    assert.equal(
      objectHealth(resource([{ type: 'Ready', status: 'False' }])).status,
      'Progressing',
    );
    assert.equal(objectHealth(resource([{ type: 'Ready', status: 'True' }])).status, 'Healthy');
    assert.equal(
      objectHealth(resource([{ type: 'Reconciling', status: 'True' }])).status,
      'Progressing',
    );
  });

  it('When a Job failed, completed, is suspended or runs, then it is Degraded, Healthy, Suspended, Progressing', () => {
    const job = (status: Record<string, unknown>, spec: Record<string, unknown> = {}): Mutable => ({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'migrate' },
      spec,
      status,
    });
    const failed = job({
      conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }],
    });
    assert.equal(objectHealth(failed).status, 'Degraded');
    assert.match(objectHealth(failed).reason, /BackoffLimitExceeded/);
    assert.equal(
      objectHealth(job({ conditions: [{ type: 'Complete', status: 'True' }] })).status,
      'Healthy',
    );
    assert.equal(objectHealth(job({}, { suspend: true })).status, 'Suspended');
    assert.equal(objectHealth(job({})).status, 'Progressing');
  });

  it('When a DaemonSet has pods left to update or make available, then it is Progressing until all are', () => {
    const daemonSet = (status: Record<string, unknown>): Mutable => ({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent', generation: 1 },
      status: { observedGeneration: 1, ...status },
    });
    assert.equal(
      objectHealth(
        daemonSet({ desiredNumberScheduled: 3, updatedNumberScheduled: 2, numberAvailable: 3 }),
      ).status,
      'Progressing',
    );
    assert.equal(
      objectHealth(
        daemonSet({ desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 3 }),
      ).status,
      'Healthy',
    );
  });

  it('When objects of a release differ in health, then the worst wins and names the object', () => {
    const health = releaseHealth([
      { kind: 'Deployment', name: 'web', health: objectHealth(recorded('deployment-available')) },
      { kind: 'StatefulSet', name: 'db', health: objectHealth(recorded('statefulset-starting')) },
      {
        kind: 'Deployment',
        name: 'stuck',
        health: objectHealth(recorded('deployment-deadline-exceeded')),
      },
    ]);
    assert.equal(health.status, 'Degraded');
    assert.match(health.reason, /^Deployment\/stuck: progress deadline exceeded/);
    assert.equal(worstOf([]).status, 'Healthy');
  });
});
