import { ConnectionException } from '@mikro-orm/core';
import { ServiceUnavailableError } from '../errors/service-unavailable.ts';

/** Socket and file-system errors: the database server (or PGlite's storage) is out of reach. */
const UNREACHABLE_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EIO',
  'ENOSPC',
  'EROFS',
]);

/**
 * PostgreSQL SQLSTATEs that say "not now" rather than "not this request":
 * 08 connection exception, 53 insufficient resources (disk full, out of
 * memory, too many connections), 58 system error (I/O), 57P01–57P05 shutdown
 * and cannot-connect-now, 57014 canceled (statement_timeout).
 */
const UNAVAILABLE_SQLSTATE = /^(08|53|58)...$|^57P0[1-5]$|^57014$/;

/**
 * What the `pg` driver, its pool and PGlite say when the connection (not the
 * query) failed. pg-pool re-throws a failed connect inside a transaction
 * without its errno `code`, so "connect ECONNREFUSED" is matched by text too.
 */
const UNAVAILABLE_MESSAGE =
  /connection terminated|not queryable|timeout exceeded when trying to connect|timeout expired|query read timeout|connection refused|pglite is clos(ed|ing)|cannot use a pool after calling end|\bconnect E(CONNREFUSED|CONNRESET|TIMEDOUT|HOSTUNREACH|NETUNREACH)\b/i;

function isUnavailableCause(error: object): boolean {
  if (error instanceof ConnectionException) return true;
  const code = 'code' in error ? error.code : undefined;
  if (typeof code === 'string' && (UNREACHABLE_ERRNO.has(code) || UNAVAILABLE_SQLSTATE.test(code))) return true;
  // Emscripten's file-system errors inside PGlite.
  if ('name' in error && error.name === 'ErrnoError') return true;
  return 'message' in error && typeof error.message === 'string' && UNAVAILABLE_MESSAGE.test(error.message);
}

/**
 * The one place that decides whether a failure means "the database is away"
 * (connection refused or dropped, connect or pool-acquire timeout, statement
 * timeout, PGlite I/O failure) rather than a bug. Looks through `cause` chains
 * and AggregateErrors (Node reports a refused connection to every address of
 * a host as one). Returns the domain error transports answer with 503, or
 * null for anything else, which stays an unexpected error.
 */
export function asServiceUnavailable(error: unknown): ServiceUnavailableError | null {
  const seen = new Set<unknown>();
  const pending: unknown[] = [error];
  while (pending.length > 0) {
    const current = pending.pop();
    if (typeof current !== 'object' || current === null || seen.has(current)) continue;
    seen.add(current);
    if (current instanceof ServiceUnavailableError) return current;
    if (isUnavailableCause(current)) return new ServiceUnavailableError({ cause: error });
    if ('cause' in current) pending.push(current.cause);
    if ('originalError' in current) pending.push(current.originalError);
    if (current instanceof AggregateError) pending.push(...(current.errors as unknown[]));
  }
  return null;
}
