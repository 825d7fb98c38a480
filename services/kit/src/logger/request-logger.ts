import type { Logger } from './logger.ts';

/** A child of `logger` whose every line carries `request_id` (and whatever else is given). */
export function createRequestLogger(
  logger: Logger,
  requestId: string,
  fields: Record<string, unknown> = {},
): Logger {
  return logger.child({ request_id: requestId, ...fields });
}
