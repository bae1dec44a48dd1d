import { createHmac } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { MAX_TOKEN_LENGTH, SessionTokens } from '../../src/access-tokens/session-tokens.ts';
import { HmacTokenKeys } from '../../src/access-tokens/hmac-token-keys.ts';
import { Secret } from '../../src/secrets/secret.ts';

const secret = Secret.fromText('unit-test-secret-that-is-at-least-32-bytes');
const keys = new HmacTokenKeys(secret);
const tokens = new SessionTokens({ keys, ttlSeconds: 60, issuer: 'rekey', audience: 'rekey' });

/** A token signed with our secret but with claims of the test's choosing. */
function signed(header: object, payload: object, key = secret.bytes): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const body = `${part(header)}.${part(payload)}`;
  return `${body}.${createHmac('sha256', key).update(body).digest('base64url')}`;
}
const now = () => Math.floor(Date.now() / 1000);
const SID = '0b6c3f0e-6d2a-4c1e-9f55-3a7c1d2e4b6f';
const valid = () => ({ sub: '7', sid: SID, gen: 3, iss: 'rekey', aud: 'rekey', iat: now(), exp: now() + 60 });

describe('session tokens', () => {
  it('round-trips what it issues', () => {
    const { token, expiresAt } = tokens.issue({ userId: 7, sessionId: SID, generation: 3 });
    expect(tokens.verify(token)).toEqual({ userId: 7, sessionId: SID, generation: 3 });
    expect(expiresAt.getTime()).toBeGreaterThan(Date.now());
  });

  it('accepts a hand-signed token with the pinned claims (the helper below is faithful)', () => {
    expect(tokens.verify(signed({ alg: 'HS256', typ: 'JWT' }, valid()))).toEqual({ userId: 7, sessionId: SID, generation: 3 });
  });

  it('writes the kid of its key into every header, and refuses another kid or a header that is not JSON', () => {
    const { token } = tokens.issue({ userId: 7, sessionId: SID, generation: 3 });
    const header = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8'));
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT', kid: keys.kid });
    expect(keys.kid).not.toContain(secret.bytes.toString('base64url').slice(0, 8));
    expect(tokens.verify(signed({ alg: 'HS256', kid: keys.kid }, valid()))).not.toBeNull();
    expect(tokens.verify(signed({ alg: 'HS256', kid: 'another' }, valid()))).toBeNull();
    expect(tokens.verify(signed({ alg: 'HS256', kid: 7 }, valid()))).toBeNull();
    const notJson = `${Buffer.from('{alg').toString('base64url')}.${Buffer.from(JSON.stringify(valid())).toString('base64url')}.x`;
    expect(tokens.verify(notJson)).toBeNull();
  });

  it.each([
    ['no exp', { ...valid(), exp: undefined }],
    ['expired', { ...valid(), iat: now() - 120, exp: now() - 60 }],
    ['another audience', { ...valid(), aud: 'other' }],
    ['another issuer', { ...valid(), iss: 'other' }],
    ['a non-numeric subject', { ...valid(), sub: 'ada@example.com' }],
    ['no session (a token from before sessions)', { sub: '7', sv: 0, iss: 'rekey', aud: 'rekey', iat: now(), exp: now() + 60 }],
    ['a session id that is not a UUID', { ...valid(), sid: '1 or 1=1' }],
    ['no generation', { ...valid(), gen: undefined }],
    ['a negative generation', { ...valid(), gen: -1 }],
  ])('refuses a token with %s', (_name, payload) => {
    expect(tokens.verify(signed({ alg: 'HS256', typ: 'JWT' }, payload))).toBeNull();
  });

  it('refuses alg none, another key, and oversized or empty input without throwing', () => {
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${Buffer.from(JSON.stringify(valid())).toString('base64url')}.`;
    expect(tokens.verify(unsigned)).toBeNull();
    expect(tokens.verify(signed({ alg: 'HS256' }, valid(), Buffer.from('another-secret-of-at-least-32-bytes!!')))).toBeNull();
    expect(tokens.verify('x'.repeat(MAX_TOKEN_LENGTH + 1))).toBeNull();
    expect(tokens.verify('')).toBeNull();
    expect(tokens.verify('not.a.token')).toBeNull();
  });

  it('keeps a verified token only until its exp', async () => {
    const { token } = tokens.issue({ userId: 7, sessionId: SID, generation: 3 }, Date.now() - 59_000);
    expect(tokens.verify(token)).not.toBeNull();
    // Verified once and kept: the same text must still stop at its exp.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(tokens.verify(token)).toBeNull();
  });

  it('refuses a secret under 32 bytes', () => {
    expect(() => new HmacTokenKeys(Secret.fromText('short'))).toThrow();
  });
});
