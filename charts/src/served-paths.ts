// Which health paths the code really serves, and on which listener, read from the source
// (`app.get('/livez', ...)` in the kit's createService, `admin.get(...)` in the gateway), so
// a renamed endpoint fails the chart tests instead of every probe in the cluster.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_DIR } from './paths.ts';

/** GET paths registered on one listener variable of a source file. */
export function servedPaths(sourceFile: string, listener: string): Set<string> {
  const source = readFileSync(join(REPO_DIR, sourceFile), 'utf8');
  const pattern = new RegExp(`\\b${listener}\\.get\\('(/[^']*)'`, 'g');
  return new Set([...source.matchAll(pattern)].map((match) => match[1] as string));
}

/** Paths a service built with the kit serves on its PORT. */
export function kitServicePaths(): Set<string> {
  return servedPaths('services/kit/src/service/create-service.ts', 'app');
}

/** Paths the gateway serves on its ADMIN_PORT. */
export function gatewayAdminPaths(): Set<string> {
  return servedPaths('ingress/src/gateway.ts', 'admin');
}
