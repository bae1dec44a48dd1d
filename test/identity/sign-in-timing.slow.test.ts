import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import bcrypt from 'bcrypt';
import { signIn, signUp, uniqueEmail } from '../support/accounts.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { median, timed } from '../support/timing.ts';

// Sign-in must not tell whether an email is registered, not even by its
// duration: an unknown email spends the same bcrypt work as a wrong password.
let server: TestServer;
beforeAll(async () => {
  // Cost 9 (~25 ms a compare here) makes bcrypt dominate, as it does in production.
  server = await startTestServer({ BCRYPT_COST: '9', LOCKOUT_THRESHOLD: '100000' });
});
afterAll(() => server.close());

describe('sign-in timing', () => {
  it('takes the same time for an unknown email as for a wrong password (200 each, medians within 10%)', async () => {
    const account = await signUp(server.graphqlUrl);
    const unknown: number[] = [];
    const wrong: number[] = [];
    // Interleaved, so drift in machine load affects both alike.
    for (let round = 0; round < 200; round += 1) {
      unknown.push(await timed(() => signIn(server.graphqlUrl, uniqueEmail('nobody'), 'Wrong-Pass-123')));
      wrong.push(await timed(() => signIn(server.graphqlUrl, account.email, 'Wrong-Pass-123')));
    }
    const [unknownMedian, wrongMedian] = [median(unknown), median(wrong)];
    console.log(`sign-in medians: unknown email ${unknownMedian.toFixed(1)} ms, wrong password ${wrongMedian.toFixed(1)} ms`);
    expect(Math.abs(unknownMedian - wrongMedian) / wrongMedian).toBeLessThan(0.1);
  }, 120_000);

  it('takes the same time for a wrong password on an adopted lower-cost hash (cost 7 vs 9; 100 each, medians within 20%)', async () => {
    const current = await signUp(server.graphqlUrl);
    // Adopted from another system at a lower cost; Rekey upgrades it only at a successful sign-in.
    const adopted = uniqueEmail('adopted');
    await server.rekey.orm.em.fork().execute('insert into "users" ("email", "password") values (?, ?)', [adopted, await bcrypt.hash('Some-Old-Pass-1', 7)]);
    const lower: number[] = [];
    const wrong: number[] = [];
    for (let round = 0; round < 100; round += 1) {
      lower.push(await timed(() => signIn(server.graphqlUrl, adopted, 'Wrong-Pass-123')));
      wrong.push(await timed(() => signIn(server.graphqlUrl, current.email, 'Wrong-Pass-123')));
    }
    const [lowerMedian, wrongMedian] = [median(lower), median(wrong)];
    console.log(`sign-in medians: adopted cost-7 hash ${lowerMedian.toFixed(1)} ms, current cost ${wrongMedian.toFixed(1)} ms`);
    expect(Math.abs(lowerMedian - wrongMedian) / wrongMedian).toBeLessThan(0.2);
  }, 120_000);
});
