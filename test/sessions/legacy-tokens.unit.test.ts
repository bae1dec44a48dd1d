import { createHmac, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import jwt from 'jsonwebtoken';
import { LegacyTokens } from '../../src/sessions/legacy-tokens.ts';
import { Secret } from '../../src/secrets/secret.ts';

const SECRET = 'the-original-workflows-login-secret-32b';
const DAY_MS = 86_400_000;
const legacy = new LegacyTokens(Secret.fromText(SECRET), { maxAgeMs: DAY_MS });
const now = () => Math.floor(Date.now() / 1000);
const sign = (payload: object, secret = SECRET) => jwt.sign(payload, secret, { algorithm: 'HS256' });

describe('tokens from the original login', () => {
  it('accepts the email in sub or in email, lower-cased', () => {
    expect(legacy.verify(sign({ sub: 'Ada@Example.com', exp: now() + 60 }))).toEqual({ email: 'ada@example.com', issuedAt: expect.any(Number) });
    expect(legacy.verify(sign({ email: 'ada@example.com', exp: now() + 60 }))?.email).toBe('ada@example.com');
  });

  it.each([
    ['no exp', () => jwt.sign({ sub: 'ada@example.com' }, SECRET, { algorithm: 'HS256' })],
    ['an expired one', () => sign({ sub: 'ada@example.com', exp: now() - 10 })],
    ['another secret', () => sign({ sub: 'ada@example.com', exp: now() + 60 }, 'another-secret-of-at-least-32-bytes-x')],
    ['no email', () => sign({ sub: '42', exp: now() + 60 })],
    [
      'alg none',
      () =>
        `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'ada@example.com', exp: now() + 60 })).toString('base64url')}.`,
    ],
    [
      'HS512 with the right secret',
      () => jwt.sign({ sub: 'ada@example.com', exp: now() + 60 }, SECRET, { algorithm: 'HS512' }),
    ],
    [
      'RS256 claiming the secret as its public key',
      () => {
        // The classic confusion: an HMAC made with the "public key" bytes, labelled RS256.
        const header = Buffer.from('{"alg":"RS256","typ":"JWT"}').toString('base64url');
        const body = Buffer.from(JSON.stringify({ sub: 'ada@example.com', exp: now() + 60 })).toString('base64url');
        return `${header}.${body}.${createHmac('sha256', SECRET).update(`${header}.${body}`).digest('base64url')}`;
      },
    ],
    [
      'RS256 properly signed by someone else',
      () => {
        const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
        return jwt.sign({ sub: 'ada@example.com', exp: now() + 60 }, privateKey, { algorithm: 'RS256' });
      },
    ],
    ['a huge one', () => sign({ sub: 'ada@example.com', exp: now() + 60, pad: 'x'.repeat(5000) })],
  ])('refuses %s', (_name, make) => {
    expect(legacy.verify(make())).toBeNull();
  });

  it('voids tokens issued up to the second of the last revocation', () => {
    const revokedAt = new Date(1_700_000_000_500);
    expect(LegacyTokens.survives({ email: 'a@b.c', issuedAt: 1_699_999_999 }, revokedAt)).toBe(false);
    expect(LegacyTokens.survives({ email: 'a@b.c', issuedAt: 1_700_000_000 }, revokedAt)).toBe(false);
    expect(LegacyTokens.survives({ email: 'a@b.c', issuedAt: 1_700_000_001 }, revokedAt)).toBe(true);
    expect(LegacyTokens.survives({ email: 'a@b.c', issuedAt: null }, revokedAt)).toBe(false);
    expect(LegacyTokens.survives({ email: 'a@b.c', issuedAt: null }, null)).toBe(true);
  });

  it('refuses an iat more than a minute ahead, accepts one within it', () => {
    expect(legacy.verify(sign({ sub: 'ada@example.com', iat: now() + 61, exp: now() + 3600 }))).toBeNull();
    expect(legacy.verify(sign({ sub: 'ada@example.com', iat: now() + 55, exp: now() + 3600 }))?.email).toBe('ada@example.com');
  });

  it('refuses tokens older than the maximum age, and tokens without iat while one is set', () => {
    const fiftyYears = now() + 50 * 365 * 86_400;
    expect(legacy.verify(sign({ sub: 'ada@example.com', iat: now() - 86_400 - 5, exp: fiftyYears }))).toBeNull();
    expect(legacy.verify(sign({ sub: 'ada@example.com', iat: now() - 86_400 + 60, exp: fiftyYears }))?.email).toBe('ada@example.com');
    const withoutIat = jwt.sign({ sub: 'ada@example.com', exp: fiftyYears }, SECRET, { algorithm: 'HS256', noTimestamp: true });
    expect(legacy.verify(withoutIat)).toBeNull();
    // LEGACY_JWT_MAX_AGE=0: no maximum age, so a token without iat is placed by revocations alone (see survives).
    expect(new LegacyTokens(Secret.fromText(SECRET), { maxAgeMs: null }).verify(withoutIat)?.email).toBe('ada@example.com');
  });
});
