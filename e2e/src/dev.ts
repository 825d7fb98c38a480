// `make dev`: the whole platform on this machine with development configuration, until Ctrl-C.
// Expects `make deps-up` (data stores) and, for traces, `make tracing-up` to have run; the
// Makefile target does both first. SHOAL_DEV_PORT picks the gateway port (default 8080, 0 = any).
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { findRepoRoot, loadDepsEnv, parseEnvFile } from '@shoal/testbed';
import { startPlatform } from './platform/platform.ts';
import type { Platform } from './platform/platform.ts';

/** The trace backend `make tracing-up` started, if it did. */
function tracingEnv(repoRoot: string): { otlp: string; query: string } | undefined {
  const file = join(repoRoot, '.testbed', 'tracing.env');
  if (!existsSync(file)) return undefined;
  const values = parseEnvFile(readFileSync(file, 'utf8'), file);
  const otlp = values['OTLP_ENDPOINT'];
  const query = values['JAEGER_QUERY_URL'];
  return otlp && query ? { otlp, query } : undefined;
}

function gatewayPort(): number {
  const text = process.env['SHOAL_DEV_PORT'] ?? '8080';
  const port = Number(text);
  if (!/^\d{1,5}$/.test(text) || port > 65535) {
    throw new Error(`SHOAL_DEV_PORT must be a port number (got "${text}")`);
  }
  return port;
}

/** Prints one line per mail the SMTP sink accepts, so a developer sees the welcome email arrive. */
function reportMail(platform: Platform): NodeJS.Timeout {
  let seen = 0;
  return setInterval(() => {
    const messages = platform.mail?.messages ?? [];
    for (; seen < messages.length; seen += 1) {
      const mail = messages[seen];
      if (mail) console.log(`mail: to ${mail.to.join(', ')}: "${mail.subject}"`);
    }
  }, 1000).unref();
}

async function main(): Promise<void> {
  // `make dev | tee log` and Ctrl-C: the pipe closes first; the stop must still run to the end.
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);
  const repoRoot = findRepoRoot();
  const deps = loadDepsEnv();
  const tracing = tracingEnv(repoRoot);
  const started = Date.now();
  console.log('shoal dev: starting the services and the gateway...');
  const platform = await startPlatform({
    kind: 'dev',
    deps,
    gatewayPort: gatewayPort(),
    otlpEndpoint: tracing?.otlp,
    adminEnvFile: join(repoRoot, '.env'),
    // Nearer production than the tests' N=1024, still quick to log in with on 2 cores.
    scryptParams: 'N=16384,r=8,p=1',
    ownProcessGroups: true,
    onCrash: (instance, exit) =>
      console.error(
        `shoal dev: ${instance.id} exited on its own (${exit.code ?? exit.signal}); its log: ${instance.logFile}`,
      ),
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      console.log(`shoal dev: still stopping (${signal} again ignored)`);
      return;
    }
    stopping = true;
    console.log(`shoal dev: ${signal}, stopping everything...`);
    platform.stop().then(
      () => {
        console.log('shoal dev: stopped');
        process.exit(0);
      },
      (error: unknown) => {
        console.error(`shoal dev: stop failed: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const logs = relative(process.cwd(), platform.logDir) || platform.logDir;
  console.log(
    [
      `shoal dev: up in ${seconds}s (${platform.services.join(', ')} and the gateway)`,
      `  gateway   ${platform.gatewayUrl}`,
      `  API docs  ${platform.gatewayUrl}/docs`,
      tracing
        ? `  traces    ${tracing.query} (Jaeger; API: ${tracing.query}/api/traces?service=gateway)`
        : '  traces    off (run `make tracing-up` first, or use `make dev`)',
      `  mail      SMTP sink at ${platform.mail?.host}:${platform.mail?.port} (each message is printed below)`,
      `  admin     ${platform.admin.email} / ${platform.admin.password} (${platform.admin.source})`,
      `  logs      ${logs}/<service>-<n>.log`,
      'Ctrl-C stops everything.',
    ].join('\n'),
  );
  reportMail(platform);
  // Keep the process alive until a signal arrives.
  setInterval(() => undefined, 1 << 30);
}

main().catch((error: unknown) => {
  console.error(`shoal dev: ${(error as Error).message}`);
  process.exit(1);
});
