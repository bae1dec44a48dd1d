import { DomainError } from './errors.ts';

/**
 * A dependency the request needs (the database, Redis-backed state, the
 * breached-password corpus in `refuse` mode) cannot be reached right now.
 * Not a result of the request: nothing was changed, and the same request may
 * succeed once the dependency is back. Transports answer it with 503; it is
 * never a member of a result union.
 */
export class ServiceUnavailableError extends DomainError {
  override name = 'ServiceUnavailableError';
  readonly code = 'SERVICE_UNAVAILABLE';
  /** How long a client should wait before trying again. */
  readonly retryAfterSeconds = 5;
  /** Which dependency, for logs and metrics (never shown to clients). */
  readonly dependency: string;
  constructor(options: { cause?: unknown; dependency?: string } = {}) {
    super('Service temporarily unavailable. Please try again.', options.cause === undefined ? {} : { cause: options.cause });
    this.dependency = options.dependency ?? 'database';
  }
}
