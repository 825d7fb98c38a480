// The charts under test and the value scenarios each is rendered in.
import type { RenderOptions } from './render.ts';

/** A service chart and the API prefix its service serves. */
export interface ServiceChart {
  name: string;
  apiPrefix: string;
}

/** The five service charts (the gateway and platform are listed apart). */
export const SERVICE_CHARTS: readonly ServiceChart[] = [
  { name: 'auth', apiPrefix: '/api/auth' },
  { name: 'user', apiPrefix: '/api/users' },
  { name: 'event', apiPrefix: '/api/events' },
  { name: 'notification', apiPrefix: '/api/notifications' },
  { name: 'reporting', apiPrefix: '/api/reports' },
];

/** Every chart built on the shoal-service library. */
export const APP_CHARTS: readonly string[] = [...SERVICE_CHARTS.map((c) => c.name), 'gateway'];

/** Every installable chart. */
export const ALL_CHARTS: readonly string[] = [...APP_CHARTS, 'platform'];

/** A named set of values a chart is rendered with. */
export interface Scenario {
  name: string;
  options: RenderOptions;
}

/** The scenarios every app chart is rendered in (plus the chart's own extra files). */
export const APP_SCENARIOS: readonly Scenario[] = [
  { name: 'default', options: {} },
  { name: 'production', options: { valuesFiles: ['values-production.yaml'] } },
  {
    name: 'fixed single replica',
    options: { set: { 'autoscaling.enabled': false, replicaCount: 1 } },
  },
  {
    name: 'fixed three replicas',
    options: { set: { 'autoscaling.enabled': false, replicaCount: 3 } },
  },
  {
    name: 'autoscaled from one replica',
    options: { set: { 'autoscaling.minReplicas': 1 } },
  },
  {
    name: 'bare (no ingress, network policy, service account or test)',
    options: {
      set: {
        'ingress.enabled': false,
        'networkPolicy.enabled': false,
        'serviceAccount.create': false,
        'tests.enabled': false,
      },
    },
  },
];

/** Extra scenarios of single charts. */
export const CHART_SCENARIOS: Readonly<Record<string, readonly Scenario[]>> = {
  gateway: [
    { name: 'kind', options: { valuesFiles: ['values-kind.yaml'] } },
    // The Role and RoleBinding land in the watched namespace; `default` exists everywhere.
    {
      name: 'one watched namespace',
      options: { set: { 'ingressController.watchNamespace': 'default' } },
    },
  ],
  platform: [
    { name: 'default', options: {} },
    { name: 'production', options: { valuesFiles: ['values-production.yaml'] } },
    // The offline kind testbed's images, FerretDB in MongoDB's place (shoal.yaml's kind-offline).
    { name: 'offline', options: { valuesFiles: ['values-offline.yaml'] } },
    {
      name: 'monitoring (Prometheus and Grafana)',
      options: { set: { 'prometheus.enabled': true, 'grafana.enabled': true } },
    },
    {
      name: 'only the data stores',
      options: {
        set: {
          'otelCollector.enabled': false,
          'jaeger.enabled': false,
          'mailpit.enabled': false,
          'metricsServer.enabled': false,
        },
      },
    },
  ],
};

/** Every scenario of a chart. */
export function scenariosOf(chart: string): readonly Scenario[] {
  if (chart === 'platform') return CHART_SCENARIOS.platform ?? [];
  return [...APP_SCENARIOS, ...(CHART_SCENARIOS[chart] ?? [])];
}
