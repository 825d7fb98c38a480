import assert from 'node:assert/strict';
import {
  InvalidCloudEventError,
  createCloudEvent,
  parseCloudEvent,
} from '../../src/messaging/cloud-event.ts';

describe('messaging: CloudEvents envelope', () => {
  it('When an event is created, then it is a CloudEvents 1.0 envelope with a UUID id and a time', () => {
    const event = createCloudEvent({
      type: 'io.shoal.user.created.v1',
      source: '/shoal/user',
      subject: 'u1',
      data: { a: 1 },
    });
    assert.equal(event.specversion, '1.0');
    assert.match(event.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.ok(!Number.isNaN(Date.parse(event.time ?? '')));
    assert.equal(event.subject, 'u1');
    assert.equal(event.datacontenttype, 'application/json');
    assert.deepEqual(parseCloudEvent(JSON.stringify(event)), event);
  });

  it('When id and time are given, then they are kept (stable ids let consumers dedupe)', () => {
    const event = createCloudEvent({
      type: 't',
      source: 's',
      data: null,
      id: 'fixed',
      time: new Date(0),
    });
    assert.equal(event.id, 'fixed');
    assert.equal(event.time, '1970-01-01T00:00:00.000Z');
    assert.equal('subject' in event, false);
  });

  it('When type or source is missing, then createCloudEvent refuses', () => {
    assert.throws(() => createCloudEvent({ type: '', source: 's', data: 1 }), /type is required/);
    assert.throws(() => createCloudEvent({ type: 't', source: '', data: 1 }), /source is required/);
  });

  it('When a body is not a CloudEvent, then parseCloudEvent names what is wrong', () => {
    const cases: Array<[string, RegExp]> = [
      ['nope', /not JSON/],
      ['[1]', /not a JSON object/],
      ['{"specversion":"0.3"}', /specversion/],
      ['{"specversion":"1.0","id":"","source":"s","type":"t"}', /id must be/],
      ['{"specversion":"1.0","id":"i","source":"s","type":"t","time":5}', /time must be a string/],
    ];
    for (const [body, reason] of cases) {
      assert.throws(
        () => parseCloudEvent(body),
        (e: unknown) => e instanceof InvalidCloudEventError && reason.test(e.message),
      );
    }
  });
});
