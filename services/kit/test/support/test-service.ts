import type { Express } from 'express';
import { baseConfigSchema } from '../../src/config/base-schema.ts';
import type { BaseConfig } from '../../src/config/base-schema.ts';
import { parseConfig } from '../../src/config/load-config.ts';
import { createService } from '../../src/service/create-service.ts';
import type { Service, ServiceContext, ServiceOptions } from '../../src/service/create-service.ts';
import { captureLogs } from './log-capture.ts';
import type { CapturedLogger } from './log-capture.ts';

/** A service started in-process on a free port, with its logs captured. */
export interface RunningTestService {
  service: Service<BaseConfig>;
  url: string;
  logs: CapturedLogger;
}

/** Base config for tests, parsed from `env` overrides the way a real service parses its own. */
export function testConfig(env: Record<string, string> = {}): BaseConfig {
  return parseConfig(baseConfigSchema, {
    env: { SERVICE_NAME: 'test', SHUTDOWN_DELAY_MS: '0', SHUTDOWN_TIMEOUT_MS: '5000', ...env },
    envFile: false,
  });
}

/** Starts createService on 127.0.0.1:0 with the given routes; stop it with `service.stop()`. */
export async function startTestService(
  routes: (app: Express, context: ServiceContext<BaseConfig>) => void,
  options: Partial<Omit<ServiceOptions<BaseConfig>, 'routes'>> & {
    env?: Record<string, string>;
  } = {},
): Promise<RunningTestService> {
  const logs = captureLogs();
  const { env, ...rest } = options;
  const service = createService({ config: testConfig(env), logger: logs.logger, ...rest, routes });
  const { url } = await service.start({ port: 0, host: '127.0.0.1', handleSignals: false });
  return { service, url, logs };
}
