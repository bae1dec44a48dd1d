import type { Plugin } from 'graphql-yoga';
import type { Authentication } from '../../sessions/authentication.ts';

/** RFC 6750 §3.1: the bearer token presented was refused. */
export const INVALID_TOKEN_CHALLENGE = 'Bearer error="invalid_token"';

/**
 * The authentication signal: an answer to a request whose bearer token was
 * refused (forged, expired, revoked) carries `WWW-Authenticate: Bearer
 * error="invalid_token"` and the top-level `extensions.authentication =
 * "INVALID_TOKEN"`, so a generic client knows to refresh or sign in again.
 * The data is what it always was (`me: null`, `InvalidSessionError`); the
 * status too (GraphQL over HTTP answers 200).
 */
export function authenticationSignal(authOf: (request: Request) => Authentication | undefined): Plugin {
  return {
    onResultProcess({ request, result, setResult }) {
      if (Array.isArray(result) || Symbol.asyncIterator in result || !authOf(request)?.refused) return;
      setResult({ ...result, extensions: { ...result.extensions, authentication: 'INVALID_TOKEN' } });
    },
    onResponse({ request, response }) {
      if (authOf(request)?.refused) response.headers.set('www-authenticate', INVALID_TOKEN_CHALLENGE);
    },
  };
}
