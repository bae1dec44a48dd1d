import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PasswordPolicyDocument, SignUpDocument } from '../generated/graphql.ts';
import { uniqueEmail } from '../support/accounts.ts';
import { expectType, run } from '../support/graphql.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const signUpWith = async (server: TestServer, password: string) =>
  (await run(server.graphqlUrl, SignUpDocument, { input: { email: uniqueEmail(), password } })).signUp;

describe('passwordPolicy describes the rules in force', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('standard: 8+ characters, composition rules, 72 bytes, blocklist, email', async () => {
    const { passwordPolicy } = await run(server.graphqlUrl, PasswordPolicyDocument, {});
    expect(passwordPolicy).toEqual({
      name: 'standard',
      minLength: 8,
      maxBytes: 72,
      requireUppercase: true,
      requireLowercase: true,
      requireDigit: true,
      requireSpecial: true,
      rejectCommon: true,
      rejectEmail: true,
      rules: ['MIN_LENGTH', 'MAX_LENGTH', 'UPPERCASE', 'LOWERCASE', 'DIGIT', 'SPECIAL', 'COMMON', 'CONTAINS_EMAIL'],
    });
  });

  it('refuses common passwords case-insensitively, and counts any non-letter non-digit as special', async () => {
    expect(expectType(await signUpWith(server, 'P@SSW0RD'), 'WeakPasswordError').violations.map((v) => v.rule)).toContain('COMMON');
    expect((await signUpWith(server, 'Ärger·Über·42')).__typename).toBe('AuthPayload');
    expect((await signUpWith(server, 'Пароль№2024')).__typename).toBe('AuthPayload');
  });
});

describe('PASSWORD_POLICY=nist (NIST SP 800-63B-4)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ PASSWORD_POLICY: 'nist' });
  });
  afterAll(() => server.close());

  it('asks for 15+ characters and no composition', async () => {
    const { passwordPolicy } = await run(server.graphqlUrl, PasswordPolicyDocument, {});
    expect(passwordPolicy).toMatchObject({ name: 'nist', minLength: 15, maxBytes: 72, requireUppercase: false, requireSpecial: false });
    expect(passwordPolicy.rules).toEqual(['MIN_LENGTH', 'MAX_LENGTH', 'COMMON', 'CONTAINS_EMAIL']);
  });

  it('accepts a long passphrase of lowercase words and refuses a short complex one', async () => {
    expect((await signUpWith(server, 'purple monkey dishwasher')).__typename).toBe('AuthPayload');
    const refused = expectType(await signUpWith(server, 'Sh0rt-Pass!'), 'WeakPasswordError');
    expect(refused.violations).toEqual([{ rule: 'MIN_LENGTH', message: 'Password must be at least 15 characters' }]);
  });
});
