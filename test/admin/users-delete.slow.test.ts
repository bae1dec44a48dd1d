import { describe, expect, it } from '@jest/globals';
import { signIn, signUp, uniqueEmail } from '../support/accounts.ts';
import { adminCliHarness } from '../support/admin-cli.ts';
import { expectType } from '../support/graphql.ts';

// `npm run admin -- users delete <email>` as an operator runs it (a child process
// on the server's database), its effects checked through the real API.

const { admin, withServer } = adminCliHarness('admin-delete');

describe('users delete', () => {
  it('asks for the address again; a wrong answer or none deletes nothing; --yes deletes as deleteAccount does', async () => {
    const email = uniqueEmail('leaving');
    const other = uniqueEmail('staying');
    const userId = await withServer(async (server) => {
      await signUp(server.graphqlUrl, other);
      return Number((await signUp(server.graphqlUrl, email)).user.id);
    });

    const refused = await admin(['users', 'delete', email], 'someone-else@example.com\n');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('Not confirmed: nothing was deleted');
    expect((await admin(['users', 'delete', email])).code).toBe(2);

    const confirmed = await admin(['users', 'delete', email.toUpperCase()], `${email}\n`);
    expect(confirmed.stderr).toContain('Type its address to confirm');
    expect(confirmed.code).toBe(0);
    expect(confirmed.stdout).toContain(`Deleted the account ${userId} of ${email}`);

    const again = await admin(['users', 'delete', email, '--yes']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`No account with the email ${email}.`);
    expect((await admin(['users', 'delete', other, '--yes'])).code).toBe(0);

    await withServer(async (server) => {
      expectType(await signIn(server.graphqlUrl, email, 'Correct-Horse-9'), 'InvalidCredentialsError');
      const db = server.rekey.orm.em.fork();
      const events = await db.execute<{ kind: string; user_id: number | null }[]>(`select "kind", "user_id" from "security_events" order by "seq"`);
      expect(events.filter((event) => event.kind === 'ACCOUNT_DELETED')).toEqual([
        { kind: 'ACCOUNT_DELETED', user_id: null },
        { kind: 'ACCOUNT_DELETED', user_id: null },
      ]);
      expect(await db.execute(`select "id" from "users"`)).toEqual([]);
      // The address is free again.
      expect(Number((await signUp(server.graphqlUrl, email)).user.id)).not.toBe(userId);
    });
  }, 300_000);

  it('usage errors', async () => {
    const unknown = await admin(['users', 'remove', 'a@example.com']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown users action "remove"');
    const missing = await admin(['users', 'delete']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("users delete needs the account's email.");
  }, 30_000);
});
