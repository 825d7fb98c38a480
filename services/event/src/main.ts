// The event service's process entry. Run with telemetry preloaded:
//   node --import @shoal/kit/telemetry/register src/main.ts
import { loadConfig } from '@shoal/kit';
import { createEventService } from './app.ts';
import { eventConfigSchema } from './config.ts';

const config = loadConfig(eventConfigSchema);
const events = createEventService(config);
await events.start();
