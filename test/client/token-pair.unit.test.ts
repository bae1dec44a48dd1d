import { describe, expect, it } from '@jest/globals';
import { sessionChangeIn, tokenPair } from '../../client/src/token-pair.ts';

const jwt = (claims: Record<string, unknown>) => `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

describe('when the kit refreshes an access token', () => {
  it('a quarter of its life (exp - iat) before expiry, timed from its arrival on this clock', () => {
    const now = 1_000_000;
    // The server's clock is an hour off: only the token's lifetime counts.
    const iat = 5_000_000;
    expect(tokenPair(jwt({ iat, exp: iat + 2 }), '2000-01-01T00:00:00Z', null, now).refreshAt).toBe(now + 1_500);
    expect(tokenPair(jwt({ iat, exp: iat + 900 }), '2000-01-01T00:00:00Z', null, now).refreshAt).toBe(now + 870_000);
  });

  it("from the answer's expiresAt when the token is not a readable JWT", () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(tokenPair('opaque', '2026-01-01T00:00:08Z', 'r', now)).toEqual({
      accessToken: 'opaque',
      expiresAt: '2026-01-01T00:00:08Z',
      refreshToken: 'r',
      refreshAt: now + 6_000,
    });
  });
});

describe('what an answer means for the stored session', () => {
  it('a pair from AuthPayload or ChangePasswordSuccess, a sign-out from signOut, nothing otherwise', () => {
    const pair = { token: 't', expiresAt: 'e', refreshToken: 'r' };
    expect(sessionChangeIn({ signIn: { __typename: 'AuthPayload', ...pair } })).toEqual({ kind: 'pair', ...pair });
    expect(sessionChangeIn({ changePassword: { __typename: 'ChangePasswordSuccess', token: 't', expiresAt: 'e' } })).toEqual({
      kind: 'pair',
      token: 't',
      expiresAt: 'e',
      refreshToken: undefined,
    });
    expect(sessionChangeIn({ signOut: { __typename: 'SignOutSuccess' } })).toEqual({ kind: 'signed-out' });
    // Revoking another session is no sign-out of this one.
    expect(sessionChangeIn({ revokeSession: { __typename: 'SignOutSuccess' } })).toBeNull();
    expect(sessionChangeIn({ changePassword: { __typename: 'IncorrectPasswordError', code: 'INCORRECT_PASSWORD' } })).toBeNull();
    expect(sessionChangeIn(null)).toBeNull();
  });
});
