import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_DIR, SERVICE_CHARTS, ofKind, renderChart } from '../src/index.ts';

type ParseRoutePolicy = (annotations: Record<string, string>, defaults: unknown) => unknown;

const DEFAULTS = {
  auth: 'required',
  rateLimit: undefined,
  timeoutMs: 60_000,
  bodyLimitBytes: 1024,
  corsOrigins: [],
};

describe("every service chart's route policy, read by the gateway's own annotation parser", () => {
  let parseRoutePolicy: ParseRoutePolicy;
  before(async () => {
    const module = (await import(
      pathToFileURL(join(REPO_DIR, 'ingress/src/routes/route-policy.ts')).href
    )) as { parseRoutePolicy: ParseRoutePolicy };
    parseRoutePolicy = module.parseRoutePolicy;
  });

  for (const { name } of SERVICE_CHARTS) {
    for (const valuesFiles of [[], ['values-production.yaml']]) {
      it(`When ${name}'s Ingresses (${valuesFiles[0] ?? 'default values'}) reach the gateway, then it accepts every shoal.dev annotation`, async () => {
        const ingresses = ofKind(await renderChart(name, { valuesFiles }), 'Ingress');
        assert.ok(ingresses.length > 0);
        for (const ingress of ingresses) {
          const annotations = ingress.metadata.annotations ?? {};
          assert.ok(Object.keys(annotations).some((key) => key.startsWith('shoal.dev/')));
          // Throws a message naming the annotation when the gateway would refuse the route.
          parseRoutePolicy(annotations, DEFAULTS);
        }
      });
    }
  }

  it("When the event hub's webhook route reaches the gateway, then it lets the sender's X-Shoal-Signature through and asks for no JWT", async () => {
    const ingresses = ofKind(await renderChart('event', {}), 'Ingress');
    const webhooks = ingresses.find((ingress) =>
      JSON.stringify(ingress).includes('/api/events/webhooks'),
    );
    assert.ok(webhooks, 'no Ingress routes /api/events/webhooks');
    const policy = parseRoutePolicy(webhooks.metadata.annotations ?? {}, DEFAULTS) as {
      auth: string;
      passHeaders?: string[];
    };
    assert.equal(policy.auth, 'none');
    assert.deepEqual(policy.passHeaders, ['x-shoal-signature']);
  });
});
