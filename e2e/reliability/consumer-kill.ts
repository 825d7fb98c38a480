// kill -9 of the notification consumers in the middle of a batch of welcome emails: every
// registration still ends as one email (one Message-ID per person), none is lost.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ReceivedMail } from '../src/index.ts';
import type { ReliabilityContext } from './support/reliability-context.ts';

const PEOPLE = 40;

/** Declares the consumer-kill spec. */
export function consumerKillSpecs(context: () => ReliabilityContext): void {
  describe('kill -9 of the notification consumer mid-batch', function () {
    this.timeout(240_000);

    it(`When ${PEOPLE} people register and every notification instance is SIGKILLed after the first welcome email, then each person gets exactly one email once they are back`, async function () {
      const c = context();
      const mail = c.platform.mail;
      assert.ok(mail, 'the platform runs its SMTP sink');
      const emails: string[] = [];
      for (let batch = 0; batch < PEOPLE / 10; batch += 1) {
        const registered = await Promise.all(Array.from({ length: 10 }, () => c.register('kill9')));
        for (const r of registered) {
          assert.equal(r.status, 201);
          emails.push(r.email);
        }
      }
      const ours = (m: ReceivedMail) => m.to.some((to) => emails.includes(to));
      await mail.waitFor(ours, 60_000);
      const instances = c.platform.instances('notification');
      const exits = await Promise.all(instances.map((instance) => instance.kill('SIGKILL')));
      const sentAtKill = mail.messages.filter(ours).length;
      console.log(
        `      killed ${instances.length} notification instances after ${sentAtKill} of ${PEOPLE} emails`,
      );
      assert.ok(
        exits.every((exit) => exit?.signal === 'SIGKILL'),
        'every instance died of SIGKILL',
      );
      assert.ok(sentAtKill < PEOPLE, `the kill came mid-batch (${sentAtKill} of ${PEOPLE} sent)`);
      await sleep(1000);
      await Promise.all(instances.map((instance) => instance.start()));

      const deadline = Date.now() + 150_000;
      const missing = () => emails.filter((email) => mail.to(email).length === 0);
      while (missing().length > 0 && Date.now() < deadline) await sleep(500);
      assert.deepEqual(missing(), [], 'people without a welcome email');
      // Late duplicates would come from redeliveries: give them a moment to show up.
      await sleep(3000);
      const copies = emails.map((email) => mail.to(email));
      const distinctIds = copies.map((list) => new Set(list.map((m) => m.messageId)).size);
      const rawDuplicates = copies.filter((list) => list.length > 1).length;
      console.log(
        `      ${PEOPLE} people, ${copies.flat().length} emails received, ${rawDuplicates} SMTP re-sends of one message`,
      );
      assert.deepEqual(
        distinctIds.filter((n) => n !== 1),
        [],
        'each person has exactly one welcome email (by Message-ID)',
      );
      // A re-send of the same message is only possible for an email SMTP had accepted just as
      // its process died (README: at least once across that window), so at most the emails in
      // flight at the kill: CONSUMER_CONCURRENCY (10) per instance.
      assert.ok(rawDuplicates <= instances.length * 10, `${rawDuplicates} re-sent emails`);
    });
  });
}
