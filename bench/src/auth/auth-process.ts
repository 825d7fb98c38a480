import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../../services/auth/src/main.ts', import.meta.url));
const START_TIMEOUT_MS = 60_000;

/** The auth service running as its own process (its own event loop, like in production). */
export interface AuthProcess {
  readonly url: string;
  stop(): Promise<void>;
}

/** A port nobody listens on right now (the kit's config refuses PORT=0). */
async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

/** Starts services/auth/src/main.ts with `env`, on a free port, and waits until it listens. */
export async function startAuthProcess(env: Record<string, string>): Promise<AuthProcess> {
  const freeTcpPort = await freePort();
  const child: ChildProcess = spawn(process.execPath, ['--conditions=shoal-source', MAIN], {
    env: {
      ...process.env,
      PORT: String(freeTcpPort),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const listening = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('auth service did not start in time')),
      START_TIMEOUT_MS,
    );
    child.once('exit', (code) =>
      reject(new Error(`auth service exited with ${code} before listening`)),
    );
    lines.on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; port?: number };
        if (entry.msg === 'listening' && typeof entry.port === 'number') {
          clearTimeout(timer);
          resolve(entry.port);
        }
      } catch {
        // not a log line of ours
      }
    });
  });
  const port = await listening.catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  // Keep draining the access log (as a log shipper would) without parsing it here.
  lines.close();
  child.stdout?.resume();
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}
