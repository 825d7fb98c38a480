// The measured service: GET /hello through createService (request id, access log at info
// to a null stream, RED metrics, JSON body parser, problem+json, tracing via the preload).
// Prints {"port": N} once listening.
import { baseConfigSchema, createLogger, createService, parseConfig } from '@shoal/kit';
import { answerCpuQueries } from './cpu-reporter.ts';
import { nullStream } from './null-stream.ts';

const config = parseConfig(baseConfigSchema, {
  env: { SERVICE_NAME: 'bench', SHUTDOWN_DELAY_MS: '0' },
  envFile: false,
});
const service = createService({
  config,
  logger: createLogger({ service: 'bench', level: 'info', stream: nullStream() }),
  routes(app) {
    app.get('/hello', (_req, res) => {
      res.json({ hello: 'world' });
    });
  },
});
const { port } = await service.start({ port: 0, host: '127.0.0.1' });
answerCpuQueries();
process.stdout.write(`${JSON.stringify({ port })}\n`);
