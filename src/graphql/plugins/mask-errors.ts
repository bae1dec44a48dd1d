import { GraphQLError, type Source } from 'graphql';
import { maskError } from 'graphql-yoga';
import { asServiceUnavailable } from '../../db/outage.ts';

/**
 * Yoga's error masking, with one expected failure let through: the database
 * being away becomes `SERVICE_UNAVAILABLE` with HTTP 503 (and
 * Retry-After), so clients and load balancers can tell an outage from a bug.
 * Its message is fixed; nothing of the driver's error reaches the client.
 * Everything else is masked ("Unexpected error."); Yoga answers it 200 with
 * `errors` once execution began (docs/api/errors.md says why).
 */
export function maskErrors(error: unknown, message: string, isDev?: boolean): Error {
  const foreign = fromAnotherGraphQLCopy(error);
  if (foreign !== null) return foreign;
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

interface ForeignGraphQLError extends Error {
  source?: Source;
  positions?: readonly number[];
}

/**
 * A refusal raised by a second copy of graphql-js (a CommonJS plugin such as
 * graphql-armor's token limit loads its own parser when the module graph
 * holds two copies; jest's does) is not `instanceof` ours, and Yoga would
 * mask it as a 500. It is still a refusal of the document: 400, its message.
 */
function fromAnotherGraphQLCopy(error: unknown): GraphQLError | null {
  if (!(error instanceof Error) || error instanceof GraphQLError || error.name !== 'GraphQLError') return null;
  const foreign = error as ForeignGraphQLError;
  return new GraphQLError(error.message, {
    ...(foreign.source ? { source: foreign.source } : {}),
    ...(foreign.positions ? { positions: foreign.positions } : {}),
    extensions: { ...(error.message.startsWith('Syntax Error:') ? { code: 'GRAPHQL_PARSE_FAILED' } : {}), http: { status: 400 } },
  });
}
