import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from '@jest/globals';
import { smtpTransport } from '../../src/notifications/mail-transport.ts';
import { Secret } from '../../src/secrets/secret.ts';

const MESSAGE = { from: 'no-reply@example.com', to: 'someone@example.com', subject: 'Hello', text: 'Hello' };

describe('mail transport', () => {
  // nodemailer refuses this URL when the transport is made (the configuration's own check would
  // refuse it first; here it stands for any failure to load or make the transport).
  const unmakeable = () => smtpTransport(Secret.fromText('smtp://a b'), 1_000);

  it('a transport that cannot be made fails the mail with the reason (the outbox retries it)', async () => {
    await expect(unmakeable().send(MESSAGE)).rejects.toThrow(/Invalid URL/);
  });

  it('closing after such a failure leaves no unhandled rejection (it would end the process at shutdown)', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const transport = unmakeable();
      const sent = transport.send(MESSAGE);
      // Closed while the failing attempt is still pending, and again once it has failed.
      transport.close();
      await expect(sent).rejects.toThrow(/Invalid URL/);
      transport.close();
      for (let turn = 0; turn < 5; turn += 1) await nextTurn();
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
