import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DeleteAccountDocument, MeDocument, RequestEmailChangeDocument } from '../generated/graphql.ts';
import { PASSWORD, signUp, uniqueEmail } from '../support/accounts.ts';
import { run } from '../support/graphql.ts';
import { startMailTestServer, type MailTestServer } from '../support/mail-server.ts';
import { enrolTotp, totpCode } from '../support/totp.ts';

// With TOTP on, changing the address and deleting the account need the code too
// (SPEC "Second factor": requestEmailChange and deleteAccount gain secondFactorCode).

let server: MailTestServer;
let url: string;
beforeAll(async () => {
  server = await startMailTestServer();
  url = server.graphqlUrl;
});
afterAll(() => server.stop());

async function enrolled() {
  const account = await signUp(url);
  return { ...account, ...(await enrolTotp(url, account)) };
}

const requestChange = async (token: string, secondFactorCode?: string) =>
  (await run(url, RequestEmailChangeDocument, { input: { newEmail: uniqueEmail('moved'), currentPassword: PASSWORD, secondFactorCode } }, { token }))
    .requestEmailChange;
const deleteAccount = async (token: string, secondFactorCode?: string) =>
  (await run(url, DeleteAccountDocument, { input: { currentPassword: PASSWORD, secondFactorCode } }, { token })).deleteAccount;

describe('requestEmailChange with TOTP on', () => {
  it('answers SecondFactorRequiredError without a code, IncorrectSecondFactorError with a wrong one, and goes ahead with the right one', async () => {
    const account = await enrolled();
    expect(await requestChange(account.token)).toMatchObject({ __typename: 'SecondFactorRequiredError', code: 'SECOND_FACTOR_REQUIRED' });
    expect(await requestChange(account.token, '000000')).toMatchObject({ __typename: 'IncorrectSecondFactorError', code: 'INCORRECT_SECOND_FACTOR' });
    expect((await requestChange(account.token, totpCode(account.secret))).__typename).toBe('RequestEmailChangeSuccess');
  });

  it('needs nothing more without TOTP', async () => {
    const account = await signUp(url);
    expect((await requestChange(account.token)).__typename).toBe('RequestEmailChangeSuccess');
  });
});

describe('deleteAccount with TOTP on', () => {
  it('keeps the account without a right code, and deletes it with one (a recovery code counts)', async () => {
    const account = await enrolled();
    expect(await deleteAccount(account.token)).toMatchObject({ __typename: 'SecondFactorRequiredError' });
    expect(await deleteAccount(account.token, '123456')).toMatchObject({ __typename: 'IncorrectSecondFactorError' });
    expect((await run(url, MeDocument, {}, { token: account.token })).me?.id).toBe(account.user.id);
    const count = async (table: string) =>
      Number((await server.rekey.orm.em.fork().execute<{ n: string }[]>(`select count(*) as "n" from "${table}" where "user_id" = ?`, [Number(account.user.id)]))[0]?.n);
    expect(await count('totp_factors')).toBe(1);
    expect(await count('recovery_codes')).toBeGreaterThan(0);
    expect((await deleteAccount(account.token, account.recoveryCodes[0])).__typename).toBe('DeleteAccountSuccess');
    expect((await run(url, MeDocument, {}, { token: account.token })).me).toBeNull();
    // Its TOTP secret and recovery codes went with it.
    expect(await count('totp_factors')).toBe(0);
    expect(await count('recovery_codes')).toBe(0);
  });
});
