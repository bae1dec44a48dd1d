import type { Plugin } from 'graphql-yoga';
import { SecondFactorRequiredError } from '../second-factor/second-factor-errors.ts';
import { z } from 'zod';
import type { AccountsFor } from './accounts-for.ts';
import { AccountGoneError, DomainError, RateLimitedError, ValidationError, type ErrorCode } from '../errors/errors.ts';
import { MAX_PASSWORD_INPUT } from '../passwords/password-policy.ts';
import type { AppLogger } from '../observability/logging.ts';
import type { ServerContext } from './server-context.ts';
import { ServiceUnavailableError } from '../errors/service-unavailable.ts';
import { asServiceUnavailable } from '../db/outage.ts';
import { restServiceUnavailable } from './service-unavailable.ts';
import { json } from './responses.ts';

export interface RestChangePasswordDeps {
  accountsFor: AccountsFor;
  logger: AppLogger;
}

/** `/api/v1/change-password` and `/api/v1/<one segment>/change-password`, as the original workflow's front ends call it. */
export const REST_CHANGE_PASSWORD_ROUTE = /^\/api\/v1\/(?:[^/]+\/)?change-password$/;

const JSON_MEDIA_TYPE = /^application\/json\s*(?:;|$)/i;

/** Zod's own text for a missing field ("expected string, received undefined") reads poorly to an end user. */
const stringField = (field: string) =>
  z.string({ error: (issue) => (issue.input === undefined ? `${field} is required` : `${field} must be a string`) });

const requestSchema = z.object(
  {
    jwt: stringField('jwt').min(10, 'jwt must be at least 10 characters'),
    currentPassword: stringField('currentPassword')
      .min(1, 'currentPassword is required')
      .max(MAX_PASSWORD_INPUT, `currentPassword must be at most ${MAX_PASSWORD_INPUT} characters`),
    // Only bounded here: how short or simple it may be is the password policy's business.
    newPassword: stringField('newPassword').max(MAX_PASSWORD_INPUT, `newPassword must be at most ${MAX_PASSWORD_INPUT} characters`),
  },
  { error: 'The body must be a JSON object' },
);

interface FieldProblem {
  field: string;
  message: string;
}

const failure = (status: number, error: string, headers?: Record<string, string>) => json({ success: false, error }, status, headers);
const invalid = (errors: FieldProblem[]) => json({ valid: false, errors }, 400);

/**
 * The original change-password workflow's REST contract (docs/migrating-from-the-original-workflow.md,
 * "Point the route") over the same AccountService as GraphQL: only the transport differs.
 * A Yoga plugin so CORS (including preflight) and the body bound apply as for /graphql.
 */
export function restChangePasswordRoute(deps: RestChangePasswordDeps): Plugin<object, ServerContext> {
  return {
    async onRequest({ url, request, serverContext, endResponse }) {
      if (!REST_CHANGE_PASSWORD_ROUTE.test(url.pathname)) return;
      try {
        endResponse(await changePasswordOverRest(deps, request, serverContext));
      } catch (error) {
        const unavailable = asServiceUnavailable(error);
        if (unavailable !== null) {
          deps.logger.warn('Change-password route: the database is unavailable:', error);
          endResponse(restServiceUnavailable(unavailable));
          return;
        }
        // onRequest errors are not caught by Yoga. The logger redacts hashes and
        // tokens that database errors may quote.
        deps.logger.error('Change-password route failed:', error);
        endResponse(failure(500, 'Something went wrong. Please try again later.'));
      }
    },
  };
}

async function changePasswordOverRest(deps: RestChangePasswordDeps, request: Request, serverContext: ServerContext): Promise<Response> {
  if (request.method !== 'POST') return failure(405, 'Method not allowed. Use POST.', { allow: 'POST' });
  if (!JSON_MEDIA_TYPE.test(request.headers.get('content-type') ?? '')) {
    return failure(415, 'Content-Type must be application/json.');
  }
  const text = await request.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return failure(400, 'The request body is not valid JSON.');
  }
  const parsed = requestSchema.safeParse(body);
  if (!parsed.success) {
    return invalid(parsed.error.issues.map((issue) => ({ field: issue.path.join('.') || 'body', message: issue.message })));
  }

  const { jwt, currentPassword, newPassword } = parsed.data;
  const { accounts, client } = deps.accountsFor(request, serverContext);
  try {
    // This route revokes every session of the account, the caller's too: its body has no token to hand back.
    await accounts.changePasswordEverywhere(accounts.authenticate(jwt), { currentPassword, newPassword }, client);
  } catch (error) {
    if (error instanceof DomainError) return domainErrorResponse(error);
    throw error;
  }
  return json({ success: true, message: 'Password changed successfully.' });
}

/**
 * The original workflow's statuses. Keyed by every code, so a new code without a status here
 * does not compile; codes this route cannot meet still get a sensible one.
 */
const STATUS: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  INVALID_SESSION: 401,
  INVALID_CREDENTIALS: 401,
  INCORRECT_PASSWORD: 400,
  WEAK_PASSWORD: 400,
  PASSWORD_REUSED: 400,
  EMAIL_TAKEN: 409,
  RATE_LIMITED: 429,
  SERVICE_UNAVAILABLE: 503,
  SESSION_NOT_FOUND: 404,
  INVALID_RESET_TOKEN: 400,
  INVALID_EMAIL_TOKEN: 400,
  EMAIL_NOT_VERIFIED: 403,
  // The route's body has no field for a code: an account with TOTP on is refused here (docs/api/rest-route.md).
  SECOND_FACTOR_REQUIRED: 400,
  INCORRECT_SECOND_FACTOR: 400,
};

/** What the route answers an account with TOTP on: its contract cannot carry the code. */
export const REST_SECOND_FACTOR_MESSAGE =
  'This account has two-step verification on; this route cannot take a code. Change the password with the GraphQL changePassword mutation (secondFactorCode) or on the account page.';

/** The status and body the original workflow gives an expected failure. */
function domainErrorResponse(error: DomainError): Response {
  if (error instanceof ValidationError) {
    return invalid(error.fieldErrors.map((fieldError) => ({ field: fieldError.path.join('.'), message: fieldError.message })));
  }
  // The original contract: 401 for an invalid token, but 400 for a valid one whose user no longer exists.
  // Only a token we signed gets that far, so telling the two apart reveals nothing to an outsider.
  const status = error instanceof AccountGoneError ? 400 : STATUS[error.code];
  const headers: Record<string, string> =
    error instanceof RateLimitedError || error instanceof ServiceUnavailableError ? { 'retry-after': String(error.retryAfterSeconds) } : {};
  if (error instanceof SecondFactorRequiredError) return failure(status, REST_SECOND_FACTOR_MESSAGE, headers);
  // Messages are the contract's: the first broken rule's for WeakPasswordError.
  return failure(status, error.message, headers);
}
