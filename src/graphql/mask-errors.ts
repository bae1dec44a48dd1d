import { GraphQLError } from 'graphql';
import { maskError } from 'graphql-yoga';
import { asServiceUnavailable } from '../db/outage.ts';

/**
 * Yoga's error masking, with one expected failure let through: the database
 * being away becomes SPEC's `SERVICE_UNAVAILABLE` with HTTP 503 (and
 * Retry-After), so clients and load balancers can tell an outage from a bug.
 * Its message is fixed; nothing of the driver's error reaches the client.
 * Everything else is masked as before ("Unexpected error.", 500).
 */
export function maskErrors(error: unknown, message: string, isDev?: boolean): Error {
  const unavailable = asServiceUnavailable(error);
  if (unavailable === null) return maskError(error, message, isDev);
  const located = error instanceof GraphQLError ? error : undefined;
  return new GraphQLError(unavailable.message, {
    ...(located ? { nodes: located.nodes, source: located.source, positions: located.positions, path: located.path } : {}),
    extensions: {
      code: unavailable.code,
      http: { status: 503, headers: { 'retry-after': String(unavailable.retryAfterSeconds) } },
    },
  });
}
