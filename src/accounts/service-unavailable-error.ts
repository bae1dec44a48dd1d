/**
 * A dependency the answer needs cannot be reached right now (for example the
 * breached-password corpus with BREACHED_PASSWORDS_ON_ERROR=refuse). Not a
 * DomainError on purpose: it is no member of a result union, it is the
 * outage answer of SPEC "Operations" (GraphQL SERVICE_UNAVAILABLE with 503,
 * REST 503), so the transports map it themselves.
 */
export class ServiceUnavailableError extends Error {
  override name = 'ServiceUnavailableError';
  readonly code = 'SERVICE_UNAVAILABLE';
  readonly retryAfterSeconds: number;
  /** Which dependency, for logs and metrics (never shown to clients). */
  readonly dependency: string;

  constructor(dependency: string, retryAfterSeconds = 5) {
    super('Service temporarily unavailable. Please try again.');
    this.dependency = dependency;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
