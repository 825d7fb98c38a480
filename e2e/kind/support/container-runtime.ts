// How a pod's containers really run, read from the node's container runtime rather than the
// pod spec: kind's nodes are Docker containers named after the Kubernetes nodes, each with
// containerd and crictl. `crictl inspect` gives the OCI spec the container was started with
// (process.user, root.readonly) and its process id; the kernel's /proc of that process gives
// the user it runs as and how its root filesystem is mounted.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** One container as the runtime and the kernel see it. */
export interface RuntimeContainer {
  /** The OCI spec's process.user. */
  readonly specUid: number;
  readonly specGid: number;
  /** The OCI spec's root.readonly. */
  readonly specRootReadOnly: boolean;
  /** The process id in the node (0 when the container is not running). */
  readonly pid: number;
  /** The kernel's Uid line (real, effective, saved, filesystem); empty when not running. */
  readonly processUids: readonly number[];
  /** Whether the process's / is mounted read-only (undefined when not running). */
  readonly rootMountReadOnly: boolean | undefined;
}

/** Runs `command` inside the kind node container `node`. */
async function inNode(node: string, command: readonly string[]): Promise<string> {
  const { stdout } = await run('docker', ['exec', node, ...command], {
    maxBuffer: 16 * 1024 * 1024,
    timeout: 30_000,
  });
  return stdout;
}

/** The mount options of the mount at `/` in a /proc/<pid>/mountinfo text (the last one wins). */
export function rootMountOptions(mountinfo: string): string[] | undefined {
  let options: string[] | undefined;
  for (const line of mountinfo.split('\n')) {
    // id parent major:minor root mount-point options [optional...] - fstype source super-options
    const fields = line.split(' ');
    if (fields[4] === '/') options = (fields[5] ?? '').split(',');
  }
  return options;
}

/** Inspects container `containerId` (the pod status's id, without `containerd://`) on `node`. */
export async function inspectContainer(
  node: string,
  containerId: string,
): Promise<RuntimeContainer> {
  const inspected = JSON.parse(await inNode(node, ['crictl', 'inspect', containerId])) as {
    info?: {
      pid?: number;
      runtimeSpec?: {
        process?: { user?: { uid?: number; gid?: number } };
        root?: { readonly?: boolean };
      };
    };
  };
  const spec = inspected.info?.runtimeSpec;
  const pid = inspected.info?.pid ?? 0;
  let processUids: number[] = [];
  let rootMountReadOnly: boolean | undefined;
  if (pid > 0) {
    const [status, mountinfo] = await Promise.all([
      inNode(node, ['cat', `/proc/${pid}/status`]),
      inNode(node, ['cat', `/proc/${pid}/mountinfo`]),
    ]);
    const uidLine = /^Uid:\s+(.*)$/m.exec(status)?.[1] ?? '';
    processUids = uidLine.trim().split(/\s+/).map(Number);
    rootMountReadOnly = rootMountOptions(mountinfo)?.includes('ro');
  }
  return {
    specUid: spec?.process?.user?.uid ?? 0,
    specGid: spec?.process?.user?.gid ?? 0,
    specRootReadOnly: spec?.root?.readonly === true,
    pid,
    processUids,
    rootMountReadOnly,
  };
}
