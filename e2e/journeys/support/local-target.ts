// The journey's local target: the whole platform as processes (startPlatform, what `make
// test` runs), with a private Jaeger for its traces and the platform's SMTP sink for mail.
import { startPlatform } from '../../src/index.ts';
import { startJaeger } from '../../src/tracing/jaeger-process.ts';
import { GatewayClient } from './gateway-client.ts';
import { Missing } from './journey-target.ts';
import type { JourneyTarget, ReportCounts } from './journey-target.ts';
import { smtpSinkReader } from './mail-reader.ts';

/**
 * A run's databases are its own: before the journey, the only signup is the admin account
 * auth creates at start (whether the reports have counted it yet or not).
 */
const FRESH_REPORTS: ReportCounts = {
  types: { 'auth.user.registered': 1 },
  totals: { signups: 1 },
};

/** Starts Jaeger and the platform exporting to it. */
export async function startLocalTarget(): Promise<JourneyTarget> {
  const jaeger = await startJaeger();
  let platform;
  try {
    platform = await startPlatform({ kind: 'journey', otlpEndpoint: jaeger.otlpEndpoint });
  } catch (error) {
    await jaeger.stop();
    throw error;
  }
  const running = platform;
  return {
    description: `the local platform (gateway ${running.gatewayUrl})`,
    api: new GatewayClient(running.gatewayUrl),
    services: running.services,
    admin: running.admin,
    webhookSecrets: running.secrets.webhookSecrets,
    mail:
      running.mail === undefined
        ? new Missing('the platform runs no SMTP sink of its own')
        : smtpSinkReader(running.mail),
    traces: jaeger,
    reportsBefore: () => Promise.resolve(FRESH_REPORTS),
    async stop() {
      await running.stop();
      await jaeger.stop();
    },
  };
}
