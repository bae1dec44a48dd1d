import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AccountTokenRepository } from '../../src/account-tokens/account-token.repository.ts';
import { AccountAdministration } from '../../src/identity/account-administration.ts';
import { SecurityEventsDocument, SignInDocument } from '../generated/graphql.ts';
import { PASSWORD, signUp } from '../support/accounts.ts';
import { fromAddress, uniqueAddress } from '../support/addresses.ts';
import { run } from '../support/graphql.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { sessionClient } from '../support/sessions.ts';

// docs/operations/admin-cli.md, users disable|enable: a disabled account
// cannot sign in (the generic answer), everything it was signed in with ends
// at once, and enabling it restores sign-in.
let server: TestServer;
let url: string;
beforeAll(async () => {
  server = await startTestServer({ TRUST_PROXY: '1' });
  url = server.graphqlUrl;
}, 180_000);
afterAll(() => server?.close(), 60_000);

const admin = () => new AccountAdministration(server.rekey.orm.em.fork(), server.rekey.deps, 'ops-alice');
const signInWith = async (input: { email: string; password: string; deviceToken?: string | null }) =>
  (await run(url, SignInDocument, { input }, fromAddress(uniqueAddress()))).signIn;

describe('an operator disabling an account', () => {
  it('refuses its sign-in with the generic answer, even with the right password or a trusted device', async () => {
    const owner = await signUp(url);
    const disabled = await admin().disable(owner.email);
    expect(disabled).toMatchObject({ changed: true });

    const withPassword = await signInWith({ email: owner.email, password: PASSWORD });
    const wrongPassword = await signInWith({ email: owner.email, password: 'Wrong-Pass-000' });
    expect(withPassword).toEqual(wrongPassword);
    expect(withPassword.__typename).toBe('InvalidCredentialsError');
    expect((await signInWith({ email: owner.email, password: PASSWORD, deviceToken: owner.deviceToken })).__typename).toBe('InvalidCredentialsError');
  });

  it('ends its sessions and refresh tokens at once', async () => {
    const owner = await signUp(url);
    const sessions = sessionClient(url);
    expect(await sessions.me(owner.token)).not.toBeNull();
    expect((await admin().disable(owner.email)).sessionsEnded).toBe(1);
    expect(await sessions.me(owner.token)).toBeNull();
    expect((await sessions.refresh(owner.refreshToken as string)).__typename).not.toBe('AuthPayload');
  });

  it('is idempotent, and enabling restores sign-in', async () => {
    const owner = await signUp(url);
    await admin().disable(owner.email);
    expect(await admin().disable(owner.email)).toMatchObject({ changed: false, sessionsEnded: 0 });
    // Failures while disabled do not leave the owner blocked once enabled.
    for (let attempt = 0; attempt < 3; attempt += 1) await signInWith({ email: owner.email, password: PASSWORD });
    expect(await admin().enable(owner.email)).toMatchObject({ changed: true });
    expect(await admin().enable(owner.email)).toMatchObject({ changed: false });
    const back = await signInWith({ email: owner.email, password: PASSWORD });
    expect(back.__typename).toBe('AuthPayload');
  });

  it('records ADMIN_ACCOUNT_DISABLED and ADMIN_ACCOUNT_ENABLED naming the operator', async () => {
    const owner = await signUp(url);
    await admin().disable(owner.email);
    await admin().enable(owner.email);
    const signedIn = await signInWith({ email: owner.email, password: PASSWORD });
    if (signedIn.__typename !== 'AuthPayload') throw new Error(`sign-in answered ${signedIn.__typename}`);
    const { me } = await run(url, SecurityEventsDocument, { first: 10 }, { token: signedIn.token });
    const events = me?.securityEvents.edges.map((edge) => edge.node) ?? [];
    expect(events.map((event) => event.kind).slice(0, 3)).toEqual(['SIGNED_IN', 'ADMIN_ACCOUNT_ENABLED', 'ADMIN_ACCOUNT_DISABLED']);
    expect(events[1]?.userAgent).toBe('rekey admin CLI (operator: ops-alice)');
  });

  it('voids its unused emailed links', async () => {
    const owner = await signUp(url);
    const db = server.rekey.orm.em.fork();
    await new AccountTokenRepository(db).mint(Number(owner.user.id), 'password_reset', 60_000, new Date());
    const unused = async () =>
      Number((await db.execute<{ n: string }[]>('select count(*) as n from "account_tokens" where user_id = ? and used_at is null', [Number(owner.user.id)]))[0]?.n);
    expect(await unused()).toBe(1);
    await admin().disable(owner.email);
    expect(await unused()).toBe(0);
  });
});
