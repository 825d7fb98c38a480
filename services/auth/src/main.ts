// The auth service's process entry. Run with telemetry preloaded:
//   node --import @shoal/kit/telemetry/register src/main.ts
import { loadConfig } from '@shoal/kit';
import { createAuthService } from './app.ts';
import { authConfigSchema } from './config.ts';

const config = loadConfig(authConfigSchema);
const auth = createAuthService(config);
await auth.start();
