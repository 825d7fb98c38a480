import { Router } from 'express';
import type { RequestHandler } from 'express';
import { requireRole } from '@shoal/kit';
import { ADMIN_ROLE } from '../domain/accounts.ts';
import type { SigningKeyRing } from '../domain/signing-key-ring.ts';

/** The JWKS (public) and key rotation (admin). */
export function keyRoutes(
  keys: SigningKeyRing,
  authenticate: RequestHandler,
  jwksMaxAgeSec: number,
): Router {
  const router = Router();

  router.get('/.well-known/jwks.json', async (_req, res) => {
    // Verifiers cache the document; the kit's verifier refetches on an unknown kid, so
    // a rotation is picked up at once even within max-age.
    res
      .set('Cache-Control', `public, max-age=${jwksMaxAgeSec}`)
      .json({ keys: await keys.publishedKeys() });
  });

  router.post('/keys/rotate', authenticate, requireRole(ADMIN_ROLE), async (_req, res) => {
    const rotated = await keys.rotate();
    res.status(201).json({ kid: rotated.kid, created_at: rotated.createdAt.toISOString() });
  });

  return router;
}
