// The exit codes of every shoal verb, documented in deployer/README.md: scripts branch on them.

/** Why shoal exited. */
export const ExitCode = {
  /** Done: converged, healthy, nothing left to do. */
  Ok: 0,
  /** The verb ran but the outcome is bad: a release failed (and was rolled back), or is unhealthy. */
  Failed: 1,
  /** Bad invocation or bad input: unknown flag, invalid platform file, unknown release. */
  Usage: 2,
  /** The cluster could not be reached or refused the request (401, 403, 404, 422, ...). */
  Cluster: 3,
  /** Server-side apply conflict: another field manager owns a field (see --force-conflicts). */
  Conflict: 4,
  /** A tool shoal needs is missing or failed (helm). */
  Tooling: 5,
  /** Interrupted (Ctrl-C); the next deploy converges from where this one stopped. */
  Interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
