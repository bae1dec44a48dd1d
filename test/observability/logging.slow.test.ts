import { describe, expect, it } from '@jest/globals';
import { inspect } from 'node:util';
import bcrypt from 'bcrypt';
import { createLogger, redact } from '../../src/observability/logging.ts';
import { ChangePasswordDocument } from '../generated/graphql.ts';
import { PASSWORD, signUp } from '../support/accounts.ts';
import { graphql } from '../support/graphql.ts';
import { startTestServer } from '../support/server.ts';

describe('logs never carry secrets', () => {
  it('redacts bcrypt hashes, tokens and passwords from every line', async () => {
    const hash = await bcrypt.hash('Correct-Horse-9', 4);
    const token = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
    const lines: string[] = [];
    const log = createLogger('debug', (_level, line) => lines.push(line));
    // The shape of a driver error: the statement with its parameters inlined.
    log.error(new Error(`update "users" set "password" = '${hash}' where "id" = 1 - connection terminated`));
    log.warn(`Authorization: Bearer ${token}`);
    log.info({ query: 'mutation { signIn(input: { email: "a@example.com", password: "Correct-Horse-9" }) { __typename } }' });
    const all = lines.join('\n');
    expect(all).not.toContain(hash);
    expect(all).not.toContain(token);
    expect(all).not.toContain('Correct-Horse-9');
    expect(all).toContain('[bcrypt hash]');
    expect(all).toContain('connection terminated');
  });

  it('redacts util.inspect output, form bodies, secret-named fields and error causes', () => {
    const lines: string[] = [];
    const log = createLogger('info', (_level, line) => lines.push(line));
    log.info(inspect({ currentPassword: 'Inspect-Pass-1', newPassword: "it's-Quoted-2" }));
    log.info('body: currentPassword=Form-Pass-3&newPassword=Form%20Pass-4&remember=1');
    log.info({ input: { newPassword: 'Field-Pass-5', jwtSecret: 'Field-Secret-6' }, email: 'a@example.com' }, 'structured');
    log.error('Route failed:', new Error('outer', { cause: new Error('inner "password": "Cause-Pass-7"') }));
    const all = lines.join('\n');
    for (const secret of ['Inspect-Pass-1', "it's-Quoted-2", 'Form-Pass-3', 'Form%20Pass-4', 'Field-Pass-5', 'Field-Secret-6', 'Cause-Pass-7']) {
      expect(all).not.toContain(secret);
    }
    // What is not secret stays readable, and every line is still one JSON object.
    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries[1]?.msg).toBe('body: currentPassword=[redacted]&newPassword=[redacted]&remember=1');
    expect(entries[2]).toMatchObject({ email: 'a@example.com', msg: 'structured' });
    expect(entries[3]).toMatchObject({ msg: 'Route failed: outer', err: { type: 'Error', message: 'outer', cause: { message: 'inner "password": "[redacted]"' } } });
  });

  it('writes nothing below its level, and nothing at all when silent', () => {
    const lines: string[] = [];
    const log = createLogger('warn', (_level, line) => lines.push(line));
    log.info('not this');
    log.warn('this');
    createLogger('silent').error('nowhere');
    expect(lines.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual(['this']);
  });

  it('keeps ordinary text as it is', () => {
    expect(redact('Rekey listening on http://127.0.0.1:4000/graphql')).toBe('Rekey listening on http://127.0.0.1:4000/graphql');
  });

  it('reaches the server: a failing password update is logged without the hash, and the client sees no internals', async () => {
    const lines: string[] = [];
    const server = await startTestServer({}, { log: createLogger('debug', (_level, line) => lines.push(line)) });
    try {
      const account = await signUp(server.graphqlUrl);
      // A real database fault on the compare-and-set update, whose statement carries the new hash.
      const db = server.rekey.orm.em.fork();
      await db.execute(`create function refuse_update() returns trigger language plpgsql as $$ begin raise exception 'storage is read-only'; end $$`);
      await db.execute(`create trigger refuse_update before update of "password" on "users" for each row execute function refuse_update()`);
      const response = await graphql(server.graphqlUrl, ChangePasswordDocument, {
        input: { currentPassword: PASSWORD, newPassword: 'Brand-New-Pass-7' },
      }, { token: account.token });

      expect(response.errors?.map((e) => e.message)).toEqual(['Unexpected error.']);
      expect(JSON.stringify(response)).not.toMatch(/storage is read-only|users|\$2b\$/);
      const logged = lines.join('\n');
      expect(logged).toContain('storage is read-only');
      expect(logged).not.toMatch(/\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}/);
      expect(logged).not.toContain('Brand-New-Pass-7');
      expect(logged).not.toContain(account.token);
    } finally {
      await server.close();
    }
  });
});
