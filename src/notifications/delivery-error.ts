/**
 * A failed delivery attempt. Its message is stored as the outbox row's
 * `last_error`, so it is written from fixed words and status codes only:
 * never a URL (it may carry credentials), a payload or a token.
 */
export class DeliveryError extends Error {
  override name = 'DeliveryError';
}

/** A short, secret-free reason for a network failure: its error code if it has one. */
export function networkFailure(what: string, error: unknown): DeliveryError {
  // Duck-typed, not instanceof: fetch's errors may come from another realm (vm contexts, workers).
  const cause = typeof error === 'object' && error !== null && 'cause' in error ? error.cause : error;
  const code = typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string' ? cause.code : null;
  const safeCode = code !== null && /^[A-Z0-9_]{1,40}$/.test(code) ? code : 'network error';
  return new DeliveryError(`${what} failed: ${safeCode}`);
}
