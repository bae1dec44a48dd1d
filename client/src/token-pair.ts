import type { TokenPair } from './token-store.ts';

/** How long before expiry an access token is refreshed, at most. */
const MAX_REFRESH_AHEAD_MS = 30_000;

/** The lifetime the server gave the token (`exp - iat`), read from the JWT without verifying it. */
function tokenLifetimeMs(token: string): number | null {
  try {
    const payload = token.split('.')[1] ?? '';
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const { iat, exp } = JSON.parse(json) as { iat?: unknown; exp?: unknown };
    return typeof iat === 'number' && typeof exp === 'number' ? (exp - iat) * 1000 : null;
  } catch {
    return null;
  }
}

/**
 * The pair to store for a fresh access token. It is refreshed ahead of its expiry by a quarter of
 * its life (at most 30 s), timed on this client's clock from now, so a clock that is off does not
 * matter: `JWT_TTL=15m` refreshes after 14.5 minutes, `JWT_TTL=2s` after 1.5 s.
 */
export function tokenPair(token: string, expiresAt: string, refreshToken: string | null, now = Date.now()): TokenPair {
  const lifetime = tokenLifetimeMs(token) ?? Math.max(0, Date.parse(expiresAt) - now);
  const ahead = Math.min(MAX_REFRESH_AHEAD_MS, lifetime / 4);
  return { accessToken: token, expiresAt, refreshToken, refreshAt: now + lifetime - ahead };
}

/** Fields of an answer that carry a new pair: `AuthPayload` and `ChangePasswordSuccess`. */
const PAIR_TYPES = new Set(['AuthPayload', 'ChangePasswordSuccess']);

interface PairCarrier {
  __typename: string;
  token: string;
  expiresAt: string;
  refreshToken?: string | null;
}

const isPairCarrier = (value: unknown): value is PairCarrier => {
  const candidate = value as Partial<PairCarrier> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    PAIR_TYPES.has(candidate.__typename ?? '') &&
    typeof candidate.token === 'string' &&
    typeof candidate.expiresAt === 'string'
  );
};

/** What an answer means for the stored session: a new pair, a sign-out, or nothing. */
export type SessionChange =
  // refreshToken undefined: the operation did not select it (the stored one is kept).
  | { kind: 'pair'; token: string; expiresAt: string; refreshToken: string | null | undefined }
  | { kind: 'signed-out' }
  | null;

/**
 * Reads an answer's top-level fields for a new pair (`signIn`, `signUp`, `refreshSession`,
 * `changePassword` — whose old tokens stopped working) or this session's end (`signOut`).
 */
export function sessionChangeIn(data: unknown): SessionChange {
  if (typeof data !== 'object' || data === null) return null;
  for (const [field, value] of Object.entries(data)) {
    if (isPairCarrier(value)) {
      return { kind: 'pair', token: value.token, expiresAt: value.expiresAt, refreshToken: value.refreshToken };
    }
    if (field === 'signOut' && (value as { __typename?: string } | null)?.__typename === 'SignOutSuccess') return { kind: 'signed-out' };
  }
  return null;
}
