// The JWT attack matrix: every forged or stale token is refused (401) by the gateway AND by each
// service called directly (a service must not rely on the edge), while the same claims signed
// properly are accepted, so every refusal is for the attack and not for something else.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import type { ServiceName } from '../src/index.ts';
import type { GatewayClient } from '../journeys/support/gateway-client.ts';
import { contractOperations } from './support/contract-operations.ts';
import type { ContractOperation } from './support/contract-operations.ts';
import {
  decodeClaims,
  keyConfusionToken,
  signRs256,
  tamperedToken,
  unsignedToken,
  userClaims,
} from './support/forged-tokens.ts';
import type { SecurityContext } from './support/security-context.ts';

/** One way to make a token that must be refused. */
interface Attack {
  readonly name: string;
  forge(context: SecurityContext): string;
}

const HOUR = 3600;
const now = () => Math.floor(Date.now() / 1000);

/** The admin's claims: each forgery tries to become the admin. */
function adminClaims(context: SecurityContext): Record<string, unknown> {
  return userClaims(context.admin.id, ['admin']);
}

const ATTACKS: readonly Attack[] = [
  {
    name: 'alg none (no signature)',
    forge: (c) => unsignedToken(c.key.kid, adminClaims(c)),
  },
  {
    name: 'HS256 signed with the RSA public key (key confusion)',
    forge: (c) => keyConfusionToken(c.key, adminClaims(c)),
  },
  {
    name: "RS256 signed with an attacker's own key under the real kid",
    forge: (c) => {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      return signRs256(privateKey, c.key.kid, adminClaims(c));
    },
  },
  {
    name: 'expired an hour ago (real key)',
    forge: (c) =>
      signRs256(c.key.privateKey, c.key.kid, {
        ...adminClaims(c),
        iat: now() - 2 * HOUR,
        exp: now() - HOUR,
      }),
  },
  {
    name: 'not valid for another hour (nbf, real key)',
    forge: (c) => signRs256(c.key.privateKey, c.key.kid, { ...adminClaims(c), nbf: now() + HOUR }),
  },
  {
    name: 'without exp (real key)',
    forge: (c) => {
      const { exp: _exp, ...claims } = adminClaims(c);
      return signRs256(c.key.privateKey, c.key.kid, claims);
    },
  },
  {
    name: 'wrong issuer (real key)',
    forge: (c) => signRs256(c.key.privateKey, c.key.kid, { ...adminClaims(c), iss: 'evil-auth' }),
  },
  {
    name: 'wrong audience (real key)',
    forge: (c) => signRs256(c.key.privateKey, c.key.kid, { ...adminClaims(c), aud: 'other-api' }),
  },
  {
    name: "Alice's real token with the payload changed to admin",
    forge: (c) =>
      tamperedToken(c.alice.accessToken, (claims) => ({
        ...claims,
        sub: c.admin.id,
        roles: ['admin'],
      })),
  },
  {
    name: 'unknown kid (real key)',
    forge: (c) => signRs256(c.key.privateKey, 'no-such-key-id', adminClaims(c)),
  },
];

/** A bearer-protected GET without path parameters from each service's contract: the probe. */
function probeOperation(repoRoot: string, service: ServiceName): ContractOperation {
  const operation = contractOperations(repoRoot, service).find(
    (op) => op.bearer && op.method === 'GET' && op.pathParameters.length === 0,
  );
  if (operation === undefined) throw new Error(`${service}'s contract has no bearer GET to probe`);
  return operation;
}

/** The gateway and every service directly, each with the route to probe it by. */
function targets(
  context: SecurityContext,
): { name: string; client: GatewayClient; path: string }[] {
  const { platform } = context;
  return [
    ...platform.services.map((service) => ({
      name: `gateway -> ${service}`,
      client: context.api,
      path: probeOperation(platform.repoRoot, service).path,
    })),
    ...platform.services.map((service) => ({
      name: `${service} directly`,
      client: context.direct(service),
      path: probeOperation(platform.repoRoot, service).path,
    })),
  ];
}

/** Declares the JWT attack specs; `context()` is ready once the suite's before hook ran. */
export function jwtAttackSpecs(context: () => SecurityContext): void {
  describe('JWT attack matrix (gateway and every service directly)', function () {
    it('When the admin claims are signed properly with the real key, then every target accepts them (the control)', async function () {
      const c = context();
      const token = signRs256(c.key.privateKey, c.key.kid, adminClaims(c));
      c.ledger.add('access token', token);
      for (const target of targets(c)) {
        const response = await target.client.get(target.path, { token });
        assert.equal(response.status, 200, `${target.name} ${target.path}: ${response.text}`);
      }
    });

    for (const attack of ATTACKS) {
      it(`When the token is ${attack.name}, then the gateway and every service refuse it with 401`, async function () {
        const c = context();
        const token = attack.forge(c);
        c.ledger.add('access token', token);
        const refusals: string[] = [];
        for (const target of targets(c)) {
          const response = await target.client.get(target.path, { token });
          if (response.status !== 401) {
            refusals.push(`${target.name} ${target.path}: ${response.status} ${response.text}`);
            continue;
          }
          assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer/, target.name);
          assert.ok(!response.text.includes(token), `${target.name} echoes the token`);
        }
        assert.deepEqual(refusals, [], 'targets that did not answer 401');
      });
    }

    it('When a refresh family is revoked (logout, then reuse of a spent token), then none of its refresh tokens works and its access token dies at its exp', async function () {
      const c = context();
      // A fresh login of Alice's: its own family.
      const login = await c.api.post<{ access_token: string; refresh_token: string }>(
        '/api/auth/login',
        { email: c.alice.email, password: c.alice.password },
      );
      assert.equal(login.status, 200, login.text);
      c.ledger.add('access token', login.body.access_token);
      c.ledger.add('refresh token', login.body.refresh_token);
      const first = login.body.refresh_token;
      const rotated = await c.api.post<{ access_token: string; refresh_token: string }>(
        '/api/auth/refresh',
        { refresh_token: first },
      );
      assert.equal(rotated.status, 200, rotated.text);
      c.ledger.add('access token', rotated.body.access_token);
      c.ledger.add('refresh token', rotated.body.refresh_token);

      // Theft: the spent first token is presented again (no grace in this run) -> family revoked.
      const reuse = await c.api.post('/api/auth/refresh', { refresh_token: first });
      assert.equal(reuse.status, 401, reuse.text);
      const successor = await c.api.post('/api/auth/refresh', {
        refresh_token: rotated.body.refresh_token,
      });
      assert.equal(successor.status, 401, `the successor of a reused token: ${successor.text}`);

      // Logout of another login: its refresh token is dead at once.
      const other = await c.api.post<{ refresh_token: string; access_token: string }>(
        '/api/auth/login',
        { email: c.alice.email, password: c.alice.password },
      );
      c.ledger.add('access token', other.body.access_token);
      c.ledger.add('refresh token', other.body.refresh_token);
      const logout = await c.api.post('/api/auth/logout', {
        refresh_token: other.body.refresh_token,
      });
      assert.equal(logout.status, 204, logout.text);
      const afterLogout = await c.api.post('/api/auth/refresh', {
        refresh_token: other.body.refresh_token,
      });
      assert.equal(afterLogout.status, 401, afterLogout.text);

      // Access tokens are self-contained JWTs (no introspection): revocation ends the family's
      // refreshes, and its access tokens die at exp, at most the configured 15 minutes later.
      const claims = decodeClaims(rotated.body.access_token);
      assert.equal(Number(claims['exp']) - Number(claims['iat']), 900);
      const stillUntilExp = await c.api.get('/api/auth/me', { token: rotated.body.access_token });
      assert.equal(stillUntilExp.status, 200, 'documented: valid until exp, not revocable');
      const expiredCopy = signRs256(c.key.privateKey, c.key.kid, {
        ...claims,
        iat: now() - 2 * HOUR,
        exp: now() - HOUR,
      });
      c.ledger.add('access token', expiredCopy);
      const expired = await c.api.get('/api/auth/me', { token: expiredCopy });
      assert.equal(expired.status, 401, 'the same token past its exp');
    });
  });
}
