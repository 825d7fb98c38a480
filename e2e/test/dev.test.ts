// `make dev`'s stop path: started as a child the way make runs it, then Ctrl-C (SIGINT).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isPortInUse } from '../src/index.ts';

/** The pids of `pid`'s direct children (from /proc). */
function childrenOf(pid: number): number[] {
  const tasks = readdirSync(`/proc/${pid}/task`);
  return tasks.flatMap((task) =>
    readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number),
  );
}

/** The TCP ports `pid` listens on: its socket inodes matched against /proc/net/tcp LISTEN rows. */
function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match?.[1]) inodes.add(match[1]);
    } catch {
      // the fd closed meanwhile
    }
  }
  const ports: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // local_address is HEX_IP:HEX_PORT, st 0A is LISTEN, inode is field 9.
      if (fields[3] === '0A' && fields[9] !== undefined && inodes.has(fields[9])) {
        ports.push(parseInt(fields[1]?.split(':')[1] ?? '0', 16));
      }
    }
  }
  return ports;
}

describe('make dev', function () {
  this.timeout(120_000);

  it('When Ctrl-C reaches it, then every child exits, every port is free and it exits 0', async function () {
    const devScript = fileURLToPath(new URL('../src/dev.ts', import.meta.url));
    // Port 0: a developer's own `make dev` may hold 8080 while the tests run.
    const dev = spawn(process.execPath, ['--conditions=shoal-source', devScript], {
      env: { ...process.env, SHOAL_DEV_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = once(dev, 'exit');
    let output = '';
    dev.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    dev.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      const gatewayUrl = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no gateway line:\n${output}`)), 100_000);
        const look = () => {
          const match = /^ {2}gateway +(http:\/\/127\.0\.0\.1:\d+)$/m.exec(output);
          if (match?.[1]) {
            clearTimeout(timer);
            resolve(match[1]);
          }
        };
        dev.stdout.on('data', look);
        dev.once('exit', () => reject(new Error(`dev exited early:\n${output}`)));
      });
      assert.match(output, /API docs +http:\/\/127\.0\.0\.1:\d+\/docs/);
      assert.match(output, /admin +\S+@\S+ \/ \S+ \((from .*\.env|generated for this run.*)\)/);
      assert.equal((await fetch(`${gatewayUrl}/docs/`)).status, 200);

      const pid = dev.pid as number;
      const children = childrenOf(pid);
      assert.ok(
        children.length >= 3,
        `auth, user... and the gateway run as children (${children.join(', ')})`,
      );
      const ports = [pid, ...children].flatMap(listeningPorts);
      assert.ok(ports.includes(Number(new URL(gatewayUrl).port)));

      dev.kill('SIGINT');
      const [code] = (await exited) as [number | null, NodeJS.Signals | null];
      assert.equal(code, 0, output);
      assert.match(output, /shoal dev: stopped/);
      for (const child of children)
        assert.equal(existsSync(`/proc/${child}`), false, `pid ${child} exited`);
      for (const port of ports)
        assert.equal(await isPortInUse(port), false, `port ${port} is free`);
    } finally {
      if (dev.exitCode === null) dev.kill('SIGKILL');
    }
  });
});
