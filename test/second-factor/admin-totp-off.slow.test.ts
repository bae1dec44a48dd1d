import { describe, expect, it } from '@jest/globals';
import { SecondFactorStatusDocument } from '../generated/graphql.ts';
import { PASSWORD, signIn, signUp } from '../support/accounts.ts';
import { adminCliHarness } from '../support/admin-cli.ts';
import { run } from '../support/graphql.ts';
import { enrolTotp } from '../support/totp.ts';

// `npm run admin -- totp-off <email>` as an operator runs it, for an owner who
// lost the authenticator and every recovery code; its effect checked through the API.

const cli = adminCliHarness('totp-off');
const admin = (args: string[]) => cli.admin(args);
const withServer = <T>(check: (url: string) => Promise<T>) => cli.withServer((server) => check(server.graphqlUrl));

describe('admin totp-off', () => {
  it('turns TOTP off for a user, records SECOND_FACTOR_DISABLED, and sign-in is one step again', async () => {
    const account = await withServer(async (url) => {
      const created = await signUp(url);
      await enrolTotp(url, created);
      expect((await signIn(url, created.email, PASSWORD)).__typename).toBe('SecondFactorChallenge');
      return created;
    });

    const totpOf = async () => (JSON.parse((await admin(['users', 'show', account.email, '--json'])).stdout) as { user: { totp: boolean } }).user.totp;
    expect(await totpOf()).toBe(true);
    expect((await admin(['users', 'show', account.email])).stdout).toContain('two-step (TOTP)\ton');
    const off = await admin(['totp-off', account.email.toUpperCase()]);
    expect(await totpOf()).toBe(false);
    expect(off).toEqual({ code: 0, stdout: `Two-step verification is off for ${account.email}; the owner is notified (SECOND_FACTOR_DISABLED).\n`, stderr: '' });
    const again = await admin(['totp-off', account.email]);
    expect(again.stdout).toBe(`${account.email} had no two-step verification on; nothing changed.\n`);
    const events = await admin(['events', account.email]);
    expect(events.stdout.split('\n')[0]).toMatch(/\tSECOND_FACTOR_DISABLED\t-\t-\trekey admin CLI \(operator: [^)]+\)$/);

    await withServer(async (url) => {
      const signedIn = await signIn(url, account.email, PASSWORD);
      expect(signedIn.__typename).toBe('AuthPayload');
      const token = signedIn.__typename === 'AuthPayload' ? signedIn.token : '';
      expect((await run(url, SecondFactorStatusDocument, {}, { token })).me?.secondFactor).toEqual({ totp: false, recoveryCodesLeft: 0 });
    });
  }, 300_000);

  it('names an unknown email', async () => {
    const outcome = await admin(['totp-off', 'nobody@example.com']);
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toBe('rekey admin: No account with the email nobody@example.com.\n');
  }, 120_000);
});
