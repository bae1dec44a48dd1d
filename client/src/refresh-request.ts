import { type Endpoint, postGraphQL } from './graphql-request.ts';

// Only what the refresh needs: the kit must not depend on the caller's cache or documents.
const REFRESH_SESSION = `mutation RefreshSession($input: RefreshSessionInput) {
  refreshSession(input: $input) {
    __typename
    ... on AuthPayload { token expiresAt refreshToken }
    ... on Error { code message }
  }
}`;

interface RefreshSessionAnswer {
  refreshSession:
    | { __typename: 'AuthPayload'; token: string; expiresAt: string; refreshToken: string | null }
    | { __typename: 'InvalidSessionError' | 'RateLimitedError' | 'ValidationError'; code: string; message: string };
}

export type RefreshOutcome =
  | { kind: 'refreshed'; token: string; expiresAt: string; refreshToken: string | null }
  /** The session is over: revoked, expired, ended by reuse detection, or no usable refresh token. Sign out. */
  | { kind: 'ended' }
  /** Rate limited or an unusable answer: the session may be fine; this request goes without. */
  | { kind: 'failed'; message: string };

/** Trades a refresh token (or, in cookie mode with `null`, the refresh cookie) for a new pair. */
export async function requestRefresh(endpoint: Endpoint, refreshToken: string | null): Promise<RefreshOutcome> {
  const variables = refreshToken ? { input: { refreshToken } } : {};
  const answer = await postGraphQL<RefreshSessionAnswer>(endpoint, { query: REFRESH_SESSION, variables }, null);
  const result = answer.data?.refreshSession;
  if (!result) return { kind: 'failed', message: answer.errors?.[0]?.message ?? 'No answer to refreshSession.' };
  if (result.__typename === 'AuthPayload') {
    return { kind: 'refreshed', token: result.token, expiresAt: result.expiresAt, refreshToken: result.refreshToken };
  }
  // A malformed stored token (ValidationError) will never refresh either.
  if (result.__typename === 'RateLimitedError') return { kind: 'failed', message: result.message };
  return { kind: 'ended' };
}
