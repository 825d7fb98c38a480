// Finds the helm binary shoal renders with: $SHOAL_HELM, else `helm` on the PATH.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { ExitCode } from '../errors/exit-codes.ts';
import { ShoalError } from '../errors/shoal-error.ts';

/** The helm binary to run; a clear error when there is none. */
export function findHelm(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.SHOAL_HELM;
  if (configured) {
    if (!isExecutable(configured)) {
      throw new ShoalError(
        `SHOAL_HELM is ${configured}, which is not an executable file.`,
        ExitCode.Tooling,
      );
    }
    return configured;
  }
  for (const directory of (env.PATH ?? '').split(delimiter)) {
    if (!directory) continue;
    const candidate = join(directory, 'helm');
    if (isExecutable(candidate)) return candidate;
  }
  throw new ShoalError(
    'helm is not installed: shoal renders charts with `helm template`; install helm (https://helm.sh/docs/intro/install/) or set SHOAL_HELM to its path.',
    ExitCode.Tooling,
  );
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
