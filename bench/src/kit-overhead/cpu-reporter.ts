/**
 * Lets the benchmark runner ask a server child for its CPU time over IPC: CPU per request
 * is a steadier figure than requests per second when other work shares the machine.
 */
export function answerCpuQueries(): void {
  process.on('message', (message) => {
    if (message === 'cpu') process.send?.(process.cpuUsage());
  });
  // IPC keeps the event loop alive; the runner ends servers with SIGTERM.
}
