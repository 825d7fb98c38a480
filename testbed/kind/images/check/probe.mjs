// The client side of `testbed/kind/images.sh check`: run in shoal-offline/node on the check's
// network, with the repository's node_modules mounted (the services' own drivers).
//   node probe.mjs sqs <host>                   ListQueues, send and receive (AWS JSON protocol)
//   node probe.mjs mongo <host> <user> <pw> <db> sign in, write, read; anonymous is refused
//   node probe.mjs smtp <host>                  send a mail, find it through the API, UI bundle
//   node probe.mjs otlp <collector> <jaeger>    a span through the collector into Jaeger
// Plain JavaScript: it runs outside the workspace's TypeScript projects.
/* global process, console, fetch, crypto, setTimeout */
import { createRequire } from 'node:module';

// The drivers are CommonJS packages in the mounted node_modules, outside this file's tree.
const require = createRequire(import.meta.url);
const [kind, ...args] = process.argv.slice(2);
const modules = process.env.SHOAL_NODE_MODULES ?? '/work/main/node_modules';

// The server may still be starting: the first request is retried for up to a minute.
async function retry(what, attempt) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`${what}: ${error.message}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

function ok(condition, what) {
  if (!condition) throw new Error(what);
  console.log(`ok: ${what}`);
}

async function sqs(host) {
  const call = async (target, body) => {
    const r = await fetch(`http://${host}:9324/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `AmazonSQS.${target}`,
      },
      body: JSON.stringify(body),
    });
    return { status: r.status, body: await r.json() };
  };
  const created = await retry('ElasticMQ never answered', () =>
    call('CreateQueue', { QueueName: 'check' }),
  );
  ok(created.status === 200, `CreateQueue answers 200 (${created.status})`);
  const list = await call('ListQueues', {});
  ok(
    list.status === 200 && list.body.QueueUrls.some((u) => u.endsWith('/check')),
    'ListQueues lists it',
  );
  const url = created.body.QueueUrl;
  await call('SendMessage', { QueueUrl: url, MessageBody: 'hello' });
  const received = await call('ReceiveMessage', { QueueUrl: url, WaitTimeSeconds: 1 });
  ok(received.body.Messages?.[0]?.Body === 'hello', 'a sent message is received');
}

async function mongo(host, user, password, db) {
  const { MongoClient } = require(`${modules}/mongodb`);
  const url = `mongodb://${user}:${encodeURIComponent(password)}@${host}:27017/${db}?authSource=${db}`;
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 10000 });
  await retry('FerretDB never let the user sign in', () => client.connect());
  await client.db(db).collection('check').insertOne({ at: new Date() });
  ok(
    (await client.db(db).collection('check').countDocuments()) >= 1,
    `${user} signs in to ${db}, writes and reads`,
  );
  await client.close();
  const anonymous = new MongoClient(`mongodb://${host}:27017/${db}`, {
    serverSelectionTimeoutMS: 10000,
  });
  const refused = await anonymous
    .db(db)
    .collection('check')
    .countDocuments()
    .then(
      () => false,
      () => true,
    );
  await anonymous.close();
  ok(refused, 'an anonymous client is refused');
}

async function smtp(host) {
  const nodemailer = require(`${modules}/nodemailer`);
  const transport = nodemailer.createTransport({
    host,
    port: 1025,
    secure: false,
    ignoreTLS: true,
  });
  const info = await retry('Mailpit never took the mail', () =>
    transport.sendMail({
      from: 'check@shoal.localtest.me',
      to: 'someone@example.com',
      subject: 'images.sh check',
      text: 'hello',
    }),
  );
  ok(/^250 /.test(info.response), `SMTP accepts the mail (${info.response})`);
  const list = await (await fetch(`http://${host}:8025/api/v1/messages`)).json();
  ok(
    list.messages.some((m) => m.Subject === 'images.sh check'),
    'the API lists it',
  );
  for (const path of ['/readyz', '/livez', '/dist/app.js']) {
    const r = await fetch(`http://${host}:8025${path}`);
    ok(r.status === 200, `GET ${path} answers 200`);
  }
}

async function otlp(collector, jaeger) {
  const hex = (n) =>
    [...crypto.getRandomValues(new Uint8Array(n))]
      .map((b) => b.toString(16).padStart(2, '0'))
      .join('');
  const traceId = hex(16);
  const now = BigInt(Date.now()) * 1000000n;
  const body = {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'images-check' } }] },
        scopeSpans: [
          {
            spans: [
              {
                traceId,
                spanId: hex(8),
                name: 'check',
                kind: 1,
                startTimeUnixNano: String(now),
                endTimeUnixNano: String(now + 1000000n),
              },
            ],
          },
        ],
      },
    ],
  };
  const health = await retry('the collector never answered', async () => {
    const r = await fetch(`http://${collector}:13133/`);
    if (r.status !== 200) throw new Error(`health check ${r.status}`);
    return r;
  });
  ok(health.status === 200, 'the collector health check answers 200 on /');
  const sent = await fetch(`http://${collector}:4318/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  ok(sent.status === 200, `the collector accepts OTLP/HTTP (${sent.status})`);
  for (let attempt = 0; attempt < 40; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const found = await fetch(`http://${jaeger}:16686/api/traces/${traceId}`);
    if (found.status === 200) {
      ok(true, 'Jaeger serves the span through its query API');
      const ui = await fetch(`http://${jaeger}:16686/`);
      ok(ui.status === 200, 'Jaeger answers 200 on / (the readiness probe)');
      return;
    }
  }
  throw new Error('Jaeger never had the span');
}

const probes = { sqs, mongo, smtp, otlp };
if (!probes[kind]) {
  console.error(`usage: node probe.mjs ${Object.keys(probes).join('|')} ...`);
  process.exit(2);
}
probes[kind](...args).catch((error) => {
  console.error(`FAILED: ${error.message}`);
  process.exit(1);
});
