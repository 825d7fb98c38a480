// The one error type the CLI prints: a single sentence for the user and the exit code to use.
import { ExitCode } from './exit-codes.ts';

/** An error that the CLI reports as one line (its message) and exits with `exitCode`. */
export class ShoalError extends Error {
  readonly exitCode: ExitCode;
  /** Structured details for `--output json` (e.g. the conflicting field managers). */
  readonly details: Record<string, unknown> | undefined;

  constructor(
    message: string,
    exitCode: ExitCode = ExitCode.Failed,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'ShoalError';
    this.exitCode = exitCode;
    this.details = options.details;
  }
}

/** A bad invocation or bad input (exit 2). */
export function usageError(message: string): ShoalError {
  return new ShoalError(message, ExitCode.Usage);
}
