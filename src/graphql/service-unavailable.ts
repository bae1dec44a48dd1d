import { GraphQLError } from 'graphql';
import { maskError } from 'graphql-yoga';
import { ServiceUnavailableError } from '../accounts/service-unavailable-error.ts';

/**
 * Yoga's error masking, except that a ServiceUnavailableError thrown by the
 * domain becomes SPEC's outage answer: `extensions.code = SERVICE_UNAVAILABLE`
 * with HTTP 503 and Retry-After, its fixed message, and nothing internal.
 */
export function maskErrorWithOutages(error: unknown, message: string, isDev?: boolean): Error {
  const original = error instanceof GraphQLError ? error.originalError : error;
  if (original instanceof ServiceUnavailableError) {
    return new GraphQLError(original.message, {
      ...(error instanceof GraphQLError ? { nodes: error.nodes, path: error.path } : {}),
      extensions: {
        code: original.code,
        http: { status: 503, headers: { 'retry-after': String(original.retryAfterSeconds) } },
      },
    });
  }
  return maskError(error, message, isDev);
}
