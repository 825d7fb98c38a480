import { stopSharedAuth } from './auth-process.ts';

/** Mocha root hooks: the auth process shared by every test file stops once, at the end. */
export const mochaHooks = {
  async afterAll(): Promise<void> {
    await stopSharedAuth();
  },
};
