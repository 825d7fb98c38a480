import * as nodeModule from 'node:module';
import { createAddHookMessageChannel } from 'import-in-the-middle';
import {
  register as registerSyncHooks,
  supportsSyncHooks,
} from 'import-in-the-middle/register-hooks.mjs';
import { INSTRUMENTED_MODULES } from './instrumentations.ts';

/**
 * Installs import-in-the-middle's ESM hook so instrumentations can patch `import`ed packages.
 * On Node versions with working `module.registerHooks` (>= 22.22.3 / 24.11.1) it runs
 * in-thread and wraps only the instrumented packages. Otherwise it falls back to the
 * off-thread `module.register` loader, which wraps exactly the modules instrumentations
 * hook; the returned function then waits until the loader has acknowledged those hooks.
 * Call it, start the SDK, then await the returned function, all before importing the app.
 */
export function installLoaderHook(): () => Promise<void> {
  if (supportsSyncHooks()) {
    registerSyncHooks({ include: [...INSTRUMENTED_MODULES] });
    return async () => {};
  }
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  nodeModule.register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);
  return waitForAllMessagesAcknowledged;
}
