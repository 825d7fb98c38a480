// Runs the external tools `shoal up` drives (docker, kind): quietly for checks, or with their
// output passed through for the long steps (cluster creation, image builds).
import { spawn } from 'node:child_process';

/** How a tool run ended; `missing` when the program is not installed. */
export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
  missing: boolean;
}

/** Options of runTool. */
export interface RunToolOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Kill the tool after this long (default: no limit). */
  timeoutMs?: number;
  /** Pass the tool's output through, line by line, as it comes. */
  onOutput?: (text: string) => void;
  signal?: AbortSignal;
}

/** Runs `command args`; never throws (a missing program is `missing: true`, code 127). */
export function runTool(
  command: string,
  args: string[],
  options: RunToolOptions = {},
): Promise<ToolResult> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      options.onOutput?.(chunk.toString());
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      options.onOutput?.(chunk.toString());
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') resolve({ code: 127, stdout, stderr, missing: true });
      else resolve({ code: 1, stdout, stderr: stderr || error.message, missing: false });
    });
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr, missing: false }));
  });
}
