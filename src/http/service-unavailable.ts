import { ServiceUnavailableError } from '../errors/service-unavailable.ts';
import { json } from './responses.ts';

const retryAfter = (error: ServiceUnavailableError) => ({ 'retry-after': String(error.retryAfterSeconds) });

/** The REST route's refusal while a dependency is away: 503 `{ success: false, error }` (docs/operations/outages.md). */
export function restServiceUnavailable(error = new ServiceUnavailableError()): Response {
  return json({ success: false, error: error.message }, 503, retryAfter(error));
}

/** The same refusal in GraphQL's shape, for answers given outside Yoga (the request timeout). */
export function graphqlServiceUnavailable(message: string, error = new ServiceUnavailableError()): Response {
  return json({ errors: [{ message, extensions: { code: error.code } }] }, 503, retryAfter(error));
}
