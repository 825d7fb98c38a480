// The notification service's process entry. Run with telemetry preloaded:
//   node --import @shoal/kit/telemetry/register src/main.ts
import { loadConfig } from '@shoal/kit';
import { createNotificationService } from './app.ts';
import { notificationConfigSchema } from './config.ts';

const config = loadConfig(notificationConfigSchema);
const notifications = createNotificationService(config);
await notifications.start();
