// nginx as the reference proxy: the Debian package's binary, run as our own process (never
// the system service) with a config generated under .testbed/bench-gateway/: one worker,
// HTTP/1.1 keep-alive to the upstream, access log buffered to a file.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A running nginx. */
export interface NginxProcess {
  child: ChildProcess;
  port: number;
}

/** Where Debian puts the binary (`apt-get install nginx-light`). */
export const NGINX_BINARY = '/usr/sbin/nginx';

/** Starts nginx proxying 127.0.0.1:`port` to the upstream port. */
export async function startNginx(
  dir: string,
  port: number,
  upstreamPort: number,
): Promise<NginxProcess> {
  if (!existsSync(NGINX_BINARY)) {
    throw new Error(`${NGINX_BINARY} not found: apt-get install -y nginx-light`);
  }
  mkdirSync(join(dir, 'logs'), { recursive: true });
  // nginx appends; start each run with an empty access log so runs do not pile up on disk.
  writeFileSync(join(dir, 'logs', 'access.log'), '');
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `worker_processes 1;
daemon off;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'logs', 'error.log')} warn;
events { worker_connections 4096; }
http {
  access_log ${join(dir, 'logs', 'access.log')} combined buffer=64k flush=1s;
  client_body_temp_path ${join(dir, 'client_body')};
  proxy_temp_path ${join(dir, 'proxy')};
  upstream backend {
    server 127.0.0.1:${upstreamPort};
    keepalive 64;
    keepalive_timeout 4s;
  }
  server {
    listen 127.0.0.1:${port};
    keepalive_requests 100000;
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }
  }
}
`,
  );
  const child = spawn(NGINX_BINARY, ['-p', dir, '-c', conf], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitForPort(port, child);
  return { child, port };
}

async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}`);
    try {
      await fetch(`http://127.0.0.1:${port}/hello`);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`nginx did not listen on ${port}`);
}
