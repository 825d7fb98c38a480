// The security suite: one platform run attacked from every side, then its logs searched for
// every secret that was used. The parts run in this order (schemathesis late: it mutates data;
// the log search last: it reads what everything before wrote).
import { authorizationSpecs } from './authorization-matrix.ts';
import { contractFuzzSpecs } from './contract-fuzz.ts';
import { hostileInputSpecs } from './hostile-input.ts';
import { jwtAttackSpecs } from './jwt-attacks.ts';
import { secretsInLogsSpecs } from './secrets-in-logs.ts';
import { startSecurityContext } from './support/security-context.ts';
import type { SecurityContext } from './support/security-context.ts';

describe('Security: the platform under hostile callers', function () {
  this.timeout(180_000);
  let context: SecurityContext | undefined;
  const current = (): SecurityContext => {
    if (context === undefined) throw new Error('the security platform did not start');
    return context;
  };

  before(async function () {
    context = await startSecurityContext();
  });

  after(async function () {
    await context?.platform.stop();
  });

  jwtAttackSpecs(current);
  authorizationSpecs(current);
  hostileInputSpecs(current);
  contractFuzzSpecs(current);
  secretsInLogsSpecs(current);
});
