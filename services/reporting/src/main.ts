// The reporting service's process entry. Run with telemetry preloaded:
//   node --import @shoal/kit/telemetry/register src/main.ts
import { loadConfig } from '@shoal/kit';
import { createReportingService } from './app.ts';
import { reportingConfigSchema } from './config.ts';

const config = loadConfig(reportingConfigSchema);
const reporting = createReportingService(config);
await reporting.start();
