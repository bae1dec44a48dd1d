import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import bcrypt from 'bcrypt';
import { AccountAdministration } from '../../src/identity/account-administration.ts';
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

  it('takes the same time for the right password on a disabled account as for a wrong one on an active account (100 each, medians within 10%)', async () => {
    const active = await signUp(server.graphqlUrl);
    const disabled = await signUp(server.graphqlUrl);
    await new AccountAdministration(server.rekey.orm.em.fork(), server.rekey.deps, 'timing-test').disable(disabled.email);
    const refused: number[] = [];
    const wrong: number[] = [];
    // Interleaved, each going first every other round, so drift in machine load affects both alike.
    for (let round = 0; round < 100; round += 1) {
      const pair = [
        async () => refused.push(await timed(() => signIn(server.graphqlUrl, disabled.email, disabled.password))),
        async () => wrong.push(await timed(() => signIn(server.graphqlUrl, active.email, 'Wrong-Pass-123'))),
      ];
      for (const measure of round % 2 === 0 ? pair : pair.reverse()) await measure();
    }
    expect((await signIn(server.graphqlUrl, disabled.email, disabled.password)).__typename).toBe('InvalidCredentialsError');
    const [refusedMedian, wrongMedian] = [median(refused), median(wrong)];
    console.log(`sign-in medians: disabled account ${refusedMedian.toFixed(1)} ms, wrong password ${wrongMedian.toFixed(1)} ms`);
    expect(Math.abs(refusedMedian - wrongMedian) / wrongMedian).toBeLessThan(0.1);
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

// A wrong password and an unknown email must flush the same number of commits, or a disk busy
// with other flushes slows the one that flushes more (docs/design/timing-parity.md). bcrypt at its
// cheapest here, so the medians compare the database's work rather than the compare's.
describe('sign-in timing beside a disk busy with flushed commits', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ BCRYPT_COST: '4', LOCKOUT_THRESHOLD: '100000' });
  });
  afterAll(() => server.close());

  it('takes the same time for an unknown email as for a wrong password (200 each, medians within 10%)', async () => {
    const account = await signUp(server.graphqlUrl);
    const load = spawn(process.execPath, ['test/support/fsync-load.ts', ...(server.config.databaseUrl ? [server.config.databaseUrl] : [])], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await once(load.stdout, 'data');
      const unknown: number[] = [];
      const wrong: number[] = [];
      for (let round = 0; round < 200; round += 1) {
        unknown.push(await timed(() => signIn(server.graphqlUrl, uniqueEmail('nobody'), 'Wrong-Pass-123')));
        wrong.push(await timed(() => signIn(server.graphqlUrl, account.email, 'Wrong-Pass-123')));
      }
      const [unknownMedian, wrongMedian] = [median(unknown), median(wrong)];
      console.log(`sign-in medians beside flushes: unknown email ${unknownMedian.toFixed(1)} ms, wrong password ${wrongMedian.toFixed(1)} ms`);
      expect(Math.abs(unknownMedian - wrongMedian) / wrongMedian).toBeLessThan(0.1);
    } finally {
      load.kill();
    }
  }, 180_000);
});

// Accounts adopted from another system may hold hashes of an un-normalised password (two compares
// for a wrong non-NFC one) or of a higher cost: every wrong password, and the unknown email's decoy,
// costs what a wrong password on the slowest of them does (docs/design/timing-parity.md).
describe('sign-in timing with adopted hashes', () => {
  let server: TestServer;
  const notNfc = 'Wrong-Pass-e\u0301';
  beforeAll(async () => {
    server = await startTestServer({ BCRYPT_COST: '8', LOCKOUT_THRESHOLD: '100000' });
  });
  afterAll(() => server.close());

  async function adopt(label: string, cost: number): Promise<string> {
    const email = uniqueEmail(label);
    await server.rekey.orm.em.fork().execute('insert into "users" ("email", "password") values (?, ?)', [email, await bcrypt.hash('Some-Old-Pass-1', cost)]);
    // One sign-in reads the hash, as the first sign-in after adoption would.
    await signIn(server.graphqlUrl, email, notNfc);
    return email;
  }

  it('takes the same time for an unknown email as for adopted accounts, at the configured and a higher cost (100 each, medians within 20%, as for lower-cost hashes)', async () => {
    const current = await signUp(server.graphqlUrl);
    const [sameCost, higherCost] = [await adopt('adopted-8', 8), await adopt('adopted-9', 9)];
    const samples: Record<'unknown' | 'current' | 'sameCost' | 'higherCost', number[]> = { unknown: [], current: [], sameCost: [], higherCost: [] };
    for (let round = 0; round < 100; round += 1) {
      samples.unknown.push(await timed(() => signIn(server.graphqlUrl, uniqueEmail('nobody'), notNfc)));
      samples.current.push(await timed(() => signIn(server.graphqlUrl, current.email, notNfc)));
      samples.sameCost.push(await timed(() => signIn(server.graphqlUrl, sameCost, notNfc)));
      samples.higherCost.push(await timed(() => signIn(server.graphqlUrl, higherCost, notNfc)));
    }
    const medians = Object.fromEntries(Object.entries(samples).map(([path, values]) => [path, median(values)]));
    console.log(`sign-in medians (non-NFC wrong password): ${Object.entries(medians).map(([path, value]) => `${path} ${value.toFixed(1)} ms`).join(', ')}`);
    const slowest = Math.max(...Object.values(medians));
    for (const value of Object.values(medians)) expect((slowest - value) / slowest).toBeLessThan(0.2);
  }, 300_000);
});
