import type { IncomingMessage } from 'node:http';
import express from 'express';
import type { Express } from 'express';
import * as kit from '@shoal/kit';

/** The part of a router layer this file looks at. */
interface Layer {
  readonly name: string;
}

/** Names of the kit's first body-parsing layer, before and after it started keeping raw bytes. */
const KIT_BODY_GATES = new Set(['requireJson', 'requireParsableBody']);

/**
 * Webhook signatures cover the exact bytes sent, so the route needs them next to the parsed
 * JSON. The kit's body parser keeps them on `req.rawBody` since its `serviceBodyMiddleware`;
 * with an older kit this mounts a JSON parser that does, at `path`, AHEAD of the kit's own
 * (which then sees the body already read and skips it). With a newer kit it does nothing.
 */
export function keepRawBodyAhead(app: Express, path: string, limitBytes: number): void {
  if (Object.hasOwn(kit, 'serviceBodyMiddleware')) return;
  app.use(
    path,
    express.json({
      limit: limitBytes,
      verify: (req: IncomingMessage, _res, raw: Buffer) => {
        (req as IncomingMessage & { rawBody?: Buffer }).rawBody = raw;
      },
    }),
  );
  const stack = (app.router as unknown as { stack: Layer[] }).stack;
  const mounted = stack.pop();
  if (mounted === undefined) return;
  const gate = stack.findIndex((layer) => KIT_BODY_GATES.has(layer.name));
  stack.splice(gate < 0 ? stack.length : gate, 0, mounted);
}
