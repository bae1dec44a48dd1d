import { randomUUID } from 'node:crypto';

// Bounded and plain: it is echoed in a header and written into every log line of the request.
const SANE_REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** The caller's `X-Request-Id` when it is sane, else a new one; the same id goes back in the response. */
export function requestIdFor(request: Request): string {
  const given = request.headers.get('x-request-id');
  return given !== null && SANE_REQUEST_ID.test(given) ? given : randomUUID();
}
