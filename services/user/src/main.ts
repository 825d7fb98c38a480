// The user service's process entry. Run with telemetry preloaded:
//   node --import @shoal/kit/telemetry/register src/main.ts
import { loadConfig } from '@shoal/kit';
import { createUserService } from './app.ts';
import { userConfigSchema } from './config.ts';

const config = loadConfig(userConfigSchema);
const users = createUserService(config);
await users.start();
