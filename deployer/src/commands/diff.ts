// `shoal diff`: (being built).
import type { Command } from 'commander';
import { ShoalError } from '../errors/shoal-error.ts';
import type { CliRuntime } from '../runtime.ts';

/** Adds `diff` to the program. */
export function register(program: Command, runtime: CliRuntime): void {
  program
    .command('diff')
    .description('not built yet')
    .action((_options: unknown, command: Command) => {
      runtime.contextFor(command);
      throw new ShoalError('diff is not built yet');
    });
}
