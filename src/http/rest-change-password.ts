import type { Plugin } from 'graphql-yoga';
import { z } from 'zod';
import { AccountService } from '../accounts/account-service.ts';
import {
  IncorrectPasswordError,
  InvalidSessionError,
  PasswordReusedError,
  RateLimitedError,
  ValidationError,
  WeakPasswordError,
} from '../accounts/errors.ts';
import type { AppDeps } from '../app.ts';
import { MAX_PASSWORD_INPUT } from '../accounts/password-policy.ts';
import { clientAddress, type ServerContext } from './client-address.ts';
import { json } from './responses.ts';

/** `/api/v1/change-password` and `/api/v1/<one segment>/change-password`, as the original workflow's front ends call it. */
const ROUTE = /^\/api\/v1\/(?:[^/]+\/)?change-password$/;

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
 * The original change-password workflow's REST contract (SPEC, "Workflow-compatible
 * REST route") over the same AccountService as GraphQL: only the transport differs.
 * A Yoga plugin so CORS (including preflight) and the body bound apply as for /graphql.
 */
export function restChangePasswordRoute(deps: AppDeps): Plugin<object, ServerContext> {
  return {
    async onRequest({ url, request, serverContext, endResponse }) {
      if (!ROUTE.test(url.pathname)) return;
      try {
        endResponse(await changePasswordOverRest(deps, request, serverContext));
      } catch (error) {
        // onRequest errors are not caught by Yoga. The logger redacts hashes and
        // tokens that database errors may quote.
        deps.logger.error('Change-password route failed:', error);
        endResponse(failure(500, 'Something went wrong. Please try again later.'));
      }
    },
  };
}

async function changePasswordOverRest(deps: AppDeps, request: Request, serverContext: ServerContext): Promise<Response> {
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
  const db = deps.orm.em.fork();
  const accounts = new AccountService(db, deps.accounts);
  const session = accounts.authenticate(jwt);
  // The original contract: 401 for an invalid token, but 400 for a valid one whose
  // user no longer exists. Only a token we signed gets that far, so telling the two
  // apart reveals nothing to an outsider; a revoked token is an invalid session.
  const { state } = await session.state();
  if (state !== 'active') return failure(state === 'unknown-user' ? 400 : 401, new InvalidSessionError().message);

  try {
    await accounts.changePassword(
      session,
      { currentPassword, newPassword, revokeOtherSessions: true },
      { address: clientAddress(request, serverContext, deps.config.trustProxyHops), beginWrite: () => serverContext.writeDeadline?.beginWrite() },
    );
  } catch (error) {
    const response = domainErrorResponse(error);
    if (response === null) throw error;
    return response;
  }
  return json({ success: true, message: 'Password changed successfully.' });
}

/** The status and body of SPEC's table for each expected failure; null for anything unexpected. */
function domainErrorResponse(error: unknown): Response | null {
  if (error instanceof InvalidSessionError) return failure(401, error.message);
  if (error instanceof RateLimitedError) return failure(429, error.message, { 'retry-after': String(error.retryAfterSeconds) });
  if (error instanceof ValidationError) {
    return invalid(error.fieldErrors.map((fieldError) => ({ field: fieldError.path.join('.'), message: fieldError.message })));
  }
  // Their messages are the contract's: the first broken rule's for WeakPasswordError.
  if (error instanceof IncorrectPasswordError || error instanceof WeakPasswordError || error instanceof PasswordReusedError) {
    return failure(400, error.message);
  }
  return null;
}
