// The JSON document of `shoal status --output json`, as a zod schema: the contract scripts rely
// on (documented in deployer/README.md, checked by test/status.test.ts). Additive changes only;
// anything else bumps `apiVersion`.
import { z } from 'zod';

const healthStatus = z.enum(['Healthy', 'Progressing', 'Degraded', 'Missing', 'Suspended']);

/** A status with its reason. */
export const healthSchema = z.strictObject({ status: healthStatus, reason: z.string() });

/** A Deployment or StatefulSet of the release, as `kubectl get` counts its replicas. */
export const workloadStatusSchema = z.strictObject({
  kind: z.enum(['Deployment', 'StatefulSet']),
  name: z.string(),
  desired: z.number().int(),
  updated: z.number().int(),
  ready: z.number().int(),
  available: z.number().int(),
  images: z.array(z.string()),
});

/** A HorizontalPodAutoscaler: its bounds, replicas and CPU as the autoscaler sees them. */
export const autoscalerStatusSchema = z.strictObject({
  name: z.string(),
  /** `Deployment/auth` */
  target: z.string(),
  minReplicas: z.number().int(),
  maxReplicas: z.number().int(),
  currentReplicas: z.number().int(),
  desiredReplicas: z.number().int(),
  /** Average CPU use in percent of the pods' requests; null until metrics arrive. */
  cpuPercent: z.number().nullable(),
  /** The CPU target in percent of requests; null when the HPA does not scale on CPU. */
  cpuTargetPercent: z.number().nullable(),
});

/** One host/path rule of an Ingress. */
export const routeStatusSchema = z.strictObject({
  ingress: z.string(),
  host: z.string(),
  path: z.string(),
  /** `auth:80` */
  backend: z.string(),
  /** The load balancer's address, when the ingress controller published one. */
  address: z.string().nullable(),
});

/** One release. */
export const releaseStatusSchema = z.strictObject({
  name: z.string(),
  namespace: z.string(),
  /** The deployed revision (null: never deployed successfully). */
  revision: z.number().int().nullable(),
  /** ISO time that revision was recorded. */
  deployedAt: z.string().nullable(),
  /** The newest revision when it is not the deployed one (a failed or interrupted deploy). */
  latestRevision: z
    .strictObject({
      revision: z.number().int(),
      status: z.string(),
      failure: z.string().nullable(),
    })
    .nullable(),
  /** Images the live workloads run, sorted. */
  images: z.array(z.string()),
  workloads: z.array(workloadStatusSchema),
  autoscalers: z.array(autoscalerStatusSchema),
  routes: z.array(routeStatusSchema),
  /** What `shoal scale` fixed for this release (empty object: nothing). */
  overrides: z.strictObject({
    replicas: z.number().int().optional(),
    minReplicas: z.number().int().optional(),
    maxReplicas: z.number().int().optional(),
  }),
  health: healthSchema,
  /** Every object that is not Healthy, worst first, with its reason. */
  problems: z.array(z.strictObject({ kind: z.string(), name: z.string(), health: healthSchema })),
});

/** The whole document. */
export const statusDocumentSchema = z.strictObject({
  apiVersion: z.literal('shoal.dev/status.v1'),
  /** True when every listed release is Healthy (then the exit code is 0, else 1). */
  healthy: z.boolean(),
  /** ISO time the status was read. */
  time: z.string(),
  releases: z.array(releaseStatusSchema),
});

export type WorkloadStatus = z.infer<typeof workloadStatusSchema>;
export type AutoscalerStatus = z.infer<typeof autoscalerStatusSchema>;
export type RouteStatus = z.infer<typeof routeStatusSchema>;
export type ReleaseStatus = z.infer<typeof releaseStatusSchema>;
export type StatusDocument = z.infer<typeof statusDocumentSchema>;
