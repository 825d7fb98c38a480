import assert from 'node:assert/strict';
import { chartDir, runHelm } from '../src/index.ts';

/** Renders auth with `--set` pairs and returns helm's error text (fails if it renders). */
async function renderError(chart: string, ...pairs: string[]): Promise<string> {
  const args = ['template', chart, chartDir(chart)];
  for (const pair of pairs) args.push('--set', pair);
  const result = await runHelm(args, { allowFailure: true });
  assert.notEqual(result.exitCode, 0, `helm rendered ${pairs.join(' ')} without complaint`);
  return result.stderr;
}

describe('values.schema.json and the chart rules', () => {
  it('When minReplicas is 0, then helm names the value and the minimum', async () => {
    const error = await renderError('auth', 'autoscaling.minReplicas=0');
    assert.match(error, /autoscaling\/minReplicas/);
    assert.match(error, /minimum: got 0, want 1/);
  });

  it('When the route auth policy is not one of the three, then helm lists them', async () => {
    const error = await renderError('user', 'ingress.policy.auth=maybe');
    assert.match(error, /ingress\/policy\/auth/);
    assert.match(error, /'required', 'optional', 'none'/);
  });

  it('When a rate limit is not like 100/m, then helm names the value', async () => {
    const error = await renderError('event', 'ingress.policy.rateLimit=fast');
    assert.match(error, /ingress\/policy\/rateLimit/);
  });

  it('When a top-level key is misspelt, then helm refuses it instead of ignoring it', async () => {
    const error = await renderError('auth', 'replicas=3');
    assert.match(error, /additional properties 'replicas' not allowed/);
  });

  it('When the app port is privileged, then helm refuses it (the pods run as non-root)', async () => {
    const error = await renderError('reporting', 'ports.http=80');
    assert.match(error, /ports\/http/);
  });

  it('When minReplicas is above maxReplicas, then the chart says which is which', async () => {
    const error = await renderError('auth', 'autoscaling.minReplicas=9');
    assert.match(error, /autoscaling.minReplicas \(9\) is above autoscaling.maxReplicas \(6\)/);
  });

  it('When a password is put in config, then the chart points to secretEnv', async () => {
    const error = await renderError('auth', 'config.AUTH_ADMIN_PASSWORD=hunter2hunter2');
    assert.match(error, /config.AUTH_ADMIN_PASSWORD looks like a secret.*secretEnv/);
  });

  it('When a connection URL with a password is put in config, then the chart refuses it', async () => {
    const error = await renderError('reporting', 'config.REPORTS_DB=postgres://u:pw@db:5432/r');
    assert.match(error, /config.REPORTS_DB holds a URL with a password/);
  });

  it('When a secret reference lacks its key, then helm names the missing field', async () => {
    const error = await renderError('user', 'secretEnv.MONGO_URL.key=null');
    assert.match(error, /secretEnv\/MONGO_URL/);
    assert.match(error, /missing property 'key'/);
  });

  it('When the gateway watches Ingresses without an API token, then the chart explains why it needs one', async () => {
    const error = await renderError('gateway', 'serviceAccount.automountToken=false');
    assert.match(error, /ingressController.enabled needs serviceAccount.automountToken=true/);
  });

  it('When a platform queue name or volume size is malformed, then helm names each value', async () => {
    const error = await renderError(
      'platform',
      'elasticmq.queues[0]=bad queue',
      'postgresql.storage=lots',
    );
    assert.match(error, /elasticmq\/queues\/0/);
    assert.match(error, /postgresql\/storage/);
  });
});
