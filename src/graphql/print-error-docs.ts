// `npm run docs:errors`: writes docs/api/errors.md from the table of error codes, the error classes' own
// messages and the printed schema (`--check` fails on drift instead), so the page cannot fall behind the code.
import { EmailNotVerifiedError, InvalidEmailTokenError } from '../email/email-errors.ts';
import { IncorrectSecondFactorError, SecondFactorRequiredError } from '../second-factor/second-factor-errors.ts';
import { readFileSync } from 'node:fs';
import { buildSchema, type GraphQLSchema, isObjectType, isUnionType, getNamedType } from 'graphql';
import { ERROR_CODES, type ErrorCode } from '../errors/error-codes.ts';
import {
  type DomainError,
  EmailTakenError,
  IncorrectPasswordError,
  InvalidCredentialsError,
  InvalidSessionError,
  PasswordReusedError,
  RateLimitedError,
  SessionNotFoundError,
  ValidationError,
} from '../errors/errors.ts';
import { ServiceUnavailableError } from '../errors/service-unavailable.ts';
import { InvalidResetTokenError } from '../recovery/invalid-reset-token-error.ts';
import { PasswordInHistoryError } from '../passwords/history/password-in-history-error.ts';
import { PASSWORD_RULES } from '../passwords/password-policy.ts';
import { WeakPasswordError } from '../passwords/weak-password-error.ts';
import { writeOrCheckGeneratedFile } from '../config/generated-file.ts';

interface CodeDoc {
  /** An instance, for its class name (the GraphQL type's) and its message. */
  example: () => DomainError;
  /** Whether the message depends on the request (the example's is then shown as "e.g."). */
  variableMessage?: boolean;
  when: string;
}

/** Keyed by every code, so a code added to ERROR_CODES without its documentation does not compile. */
const CODE_DOCS: Record<ErrorCode, CodeDoc> = {
  VALIDATION_FAILED: {
    example: () => new ValidationError([{ path: ['newPassword'], message: 'Password is required' }]),
    variableMessage: true,
    when: 'The input is malformed. `fieldErrors` has one entry (`path`, `message`) per bad field; with several, the message is `Invalid input.`',
  },
  INVALID_SESSION: {
    example: () => new InvalidSessionError(),
    when: 'The access or refresh token is missing, malformed, forged, expired or revoked, or its account no longer exists.',
  },
  INVALID_CREDENTIALS: {
    example: () => new InvalidCredentialsError(),
    when: 'The email is unknown or the password is wrong; both answers are the same and cost the same time.',
  },
  INCORRECT_PASSWORD: {
    example: () => new IncorrectPasswordError(),
    when: 'The current password is wrong.',
  },
  WEAK_PASSWORD: {
    example: () => new WeakPasswordError([{ rule: 'MIN_LENGTH', message: 'Password must be at least 8 characters' }]),
    variableMessage: true,
    when: 'The password policy refuses the new password. `violations` lists every broken rule (`rule`, `message`); `message` is the first one’s.',
  },
  PASSWORD_REUSED: {
    example: () => new PasswordReusedError(),
    when: `The new password is the current one or, with \`PASSWORD_HISTORY\`, one of the last N (then the message is e.g. \`${new PasswordInHistoryError(5).message}\`).`,
  },
  SECOND_FACTOR_REQUIRED: {
    example: () => new SecondFactorRequiredError(),
    when: 'The account has TOTP on and the request carried no `secondFactorCode` (`changePassword`, `resetPassword`, `disableTotp`, …). The REST route answers 400 for such an account: it has no field for a code.',
  },
  INCORRECT_SECOND_FACTOR: {
    example: () => new IncorrectSecondFactorError(),
    when: 'The code is not the authenticator\'s (one 30-second step either side), was already used, or is not an unused recovery code. Counted like a wrong password.',
  },
  EMAIL_TAKEN: {
    example: () => new EmailTakenError(),
    when: 'An account with this email (compared lower-cased) exists.',
  },
  RATE_LIMITED: {
    example: () => new RateLimitedError(42),
    variableMessage: true,
    when: 'A rate limit or the account’s block refused the call; `retryAfterSeconds` says when to try again. Also answered when Redis cannot count a password check.',
  },
  SERVICE_UNAVAILABLE: {
    example: () => new ServiceUnavailableError(),
    when: 'The database, Redis-backed state or the breached-password corpus (`BREACHED_PASSWORDS_ON_ERROR=refuse`) cannot be reached. Never a union member: a top-level error with `extensions.code`, HTTP 503 and `Retry-After`. Nothing was changed.',
  },
  SESSION_NOT_FOUND: {
    example: () => new SessionNotFoundError(),
    when: 'The id is not one of the viewer’s active sessions (never says whether it exists elsewhere).',
  },
  INVALID_RESET_TOKEN: {
    example: () => new InvalidResetTokenError(),
    when: 'A reset or "This wasn’t me" link’s token is unknown, used, expired, superseded or voided by a password change: one answer for all.',
  },
  INVALID_EMAIL_TOKEN: {
    example: () => new InvalidEmailTokenError(),
    when: 'A verification or change-of-address link’s token is unknown, used, expired, superseded or voided (a password change, a reset, “This wasn’t me”), or the new address was taken meanwhile: one answer for all.',
  },
  EMAIL_NOT_VERIFIED: {
    example: () => new EmailNotVerifiedError(),
    when: 'With `EMAIL_VERIFICATION=required`, the password was right but the address is not verified; a fresh verification link was mailed. A wrong password still answers `INVALID_CREDENTIALS`.',
  },
};

/** The fields (Mutation and Query) whose result union lists each type. */
function fieldsReturning(schema: GraphQLSchema): Map<string, string[]> {
  const fields = new Map<string, string[]>();
  for (const root of [schema.getQueryType(), schema.getMutationType()]) {
    for (const field of Object.values(root?.getFields() ?? {})) {
      const result = getNamedType(field.type);
      if (!isUnionType(result)) continue;
      for (const member of result.getTypes()) fields.set(member.name, [...(fields.get(member.name) ?? []), `\`${field.name}\``]);
    }
  }
  return fields;
}

function codeRow(schema: GraphQLSchema, returnedBy: Map<string, string[]>, code: ErrorCode): string {
  const doc = CODE_DOCS[code];
  const error = doc.example();
  const type = schema.getType(error.name);
  const typeCell = isObjectType(type) ? `\`${error.name}\`` : '— (top-level error)';
  const extra = isObjectType(type)
    ? Object.keys(type.getFields())
        .filter((name) => name !== 'code' && name !== 'message')
        .map((name) => `\`${name}\``)
    : [];
  const message = `${doc.variableMessage ? 'e.g. ' : ''}\`${error.message}\``;
  const fields = (returnedBy.get(error.name) ?? []).sort().join(', ') || '—';
  const cells = [`\`${code}\``, typeCell, extra.join(', ') || '—', message, fields, doc.when];
  return `| ${cells.map((cell) => cell.replaceAll('|', '\\|')).join(' | ')} |`;
}

function render(): string {
  const schema = buildSchema(readFileSync(new URL('../../schema/schema.graphql', import.meta.url), 'utf8'));
  const returnedBy = fieldsReturning(schema);
  return [
    '# Errors',
    '',
    '<!-- Generated by `npm run docs:errors` from src/errors/ and schema/schema.graphql; edit those, not this file. -->',
    '',
    'Every expected failure has a stable `code` (the `ErrorCode` enum). A mutation answers it as a member of its',
    'result union, an object type implementing `Error { code message }`; clients switch on `__typename` or `code`',
    'and show `message`. Anything else is an unexpected error: masked (`Unexpected error.`, code',
    '`INTERNAL_SERVER_ERROR`), logged, and answered HTTP 200 with `errors`, as GraphQL over HTTP recommends for a',
    'request that was executed: other fields of the same request may have succeeded (a mutation may have happened)',
    'and their `data` must reach the client, which reads `errors` in any case. Only the database or Redis being',
    'away is answered 503 (`SERVICE_UNAVAILABLE`, see [outages](../operations/outages.md)); a request refused before',
    'execution (malformed JSON, syntax, validation) is answered 400. Messages never quote a',
    'submitted value. The REST route of the original workflow answers the same codes with its own statuses: see',
    '[Migrating from the original workflow](../migrating-from-the-original-workflow.md).',
    '',
    '| code | GraphQL type | extra fields | message | returned by | when |',
    '|---|---|---|---|---|---|',
    ...ERROR_CODES.map((code) => codeRow(schema, returnedBy, code)),
    '',
    `\`WeakPasswordError.violations[].rule\` is one of ${PASSWORD_RULES.map((rule) => `\`${rule}\``).join(', ')};`,
    'see [Changing passwords](changing-passwords.md) for the policy. Outages and request timeouts are described in',
    '[When the database or Redis is down](../operations/outages.md).',
    '',
  ].join('\n');
}

const path = new URL('../../docs/api/errors.md', import.meta.url);
const printed = render();
writeOrCheckGeneratedFile(path, printed, 'npm run docs:errors');

