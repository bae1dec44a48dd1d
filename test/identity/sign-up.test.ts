import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MeDocument, SignUpDocument } from '../generated/graphql.ts';
import { expectType, graphql, run } from '../support/graphql.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const signUp = (email: string, password: string) => run(server.graphqlUrl, SignUpDocument, { input: { email, password } });

describe('signUp', () => {
  it('creates an account with a trimmed, lower-cased email and returns a working token', async () => {
    const { signUp: result } = await signUp('  Grace.Hopper@Example.COM ', 'Compiler-A0-1952');
    const payload = expectType(result, 'AuthPayload');
    expect(payload.user.email).toBe('grace.hopper@example.com');
    expect(payload.user.passwordChangedAt).toBeNull();
    // JWT_TTL: 15 minutes by default (the session itself lasts longer, see refreshExpiresAt).
    expect(new Date(payload.expiresAt).getTime()).toBeGreaterThan(Date.now() + 14 * 60_000);

    const { me } = await run(server.graphqlUrl, MeDocument, {}, { token: payload.token });
    expect(me).toEqual({ id: payload.user.id, email: 'grace.hopper@example.com', createdAt: payload.user.createdAt, passwordChangedAt: null });
  });

  it('answers EmailTakenError for an email that exists in any case', async () => {
    await signUp('taken@example.com', 'Compiler-A0-1952');
    const { signUp: result } = await signUp('TAKEN@example.com', 'Another-Pass-2024');
    expect(expectType(result, 'EmailTakenError')).toMatchObject({ code: 'EMAIL_TAKEN', message: 'An account with this email already exists.' });
  });

  it('lets exactly one of two concurrent sign-ups for one email win', async () => {
    const results = await Promise.all([signUp('race@example.com', 'Compiler-A0-1952'), signUp('race@example.com', 'Compiler-A0-1953')]);
    expect(results.map((r) => r.signUp.__typename).sort()).toEqual(['AuthPayload', 'EmailTakenError']);
  });

  it('holds the password to the policy and lists every broken rule', async () => {
    const { signUp: result } = await signUp('someone@example.com', 'weak');
    const error = expectType(result, 'WeakPasswordError');
    expect(error.message).toBe('Password must be at least 8 characters');
    expect(error.violations.map((v) => v.rule)).toEqual(['MIN_LENGTH', 'UPPERCASE', 'DIGIT', 'SPECIAL']);
  });

  it('answers ValidationError with one FieldError per bad field', async () => {
    const { signUp: result } = await signUp('not-an-email', 'x'.repeat(1025));
    const error = expectType(result, 'ValidationError');
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.fieldErrors.map((f) => f.path)).toEqual([['email'], ['password']]);
  });

  it('refuses a missing input field as a request error (400), not a crash', async () => {
    const response = await graphql(server.graphqlUrl, SignUpDocument, { input: { email: 'a@example.com' } as never });
    expect(response.status).toBe(400);
    expect(response.errors?.[0]?.message).toMatch(/password/);
  });
});
