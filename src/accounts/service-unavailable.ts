import { DomainError } from './errors.ts';

/**
 * A dependency the request needs (the database) cannot be reached right now.
 * Not a result of the request: nothing was changed, and the same request may
 * succeed once the dependency is back. Transports answer it with 503; it is
 * never a member of a result union.
 */
export class ServiceUnavailableError extends DomainError {
  override name = 'ServiceUnavailableError';
  readonly code = 'SERVICE_UNAVAILABLE';
  /** How long a client should wait before trying again. */
  readonly retryAfterSeconds = 5;
  constructor(options?: { cause?: unknown }) {
    super('Service temporarily unavailable. Please try again.', options);
  }
}
