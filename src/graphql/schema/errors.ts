import { ERROR_CODES, type ErrorCode } from '../../errors/error-codes.ts';
import { type DomainError, EmailTakenError, IncorrectPasswordError, InvalidCredentialsError, InvalidSessionError, PasswordReusedError, RateLimitedError, SessionNotFoundError, ValidationError, type FieldError } from '../../errors/errors.ts';
import { WeakPasswordError } from '../../passwords/weak-password-error.ts';
import { InvalidResetTokenError } from '../../recovery/invalid-reset-token-error.ts';
import { EmailNotVerifiedError, InvalidEmailTokenError } from '../../email/email-errors.ts';
import { IncorrectSecondFactorError, SecondFactorRequiredError } from '../../second-factor/second-factor-errors.ts';
import { PASSWORD_RULES, type PasswordViolation } from '../../passwords/password-policy.ts';
import { builder } from '../builder.ts';

export const ErrorCodeEnum = builder.enumType('ErrorCode', { values: ERROR_CODES });
export const PasswordRuleEnum = builder.enumType('PasswordRule', { values: PASSWORD_RULES });

export const ErrorInterface = builder.interfaceRef<DomainError>('Error').implement({
  description: 'An expected failure; clients switch on `code` or `__typename`.',
  fields: (t) => ({
    code: t.field({ type: ErrorCodeEnum, resolve: (error) => error.code }),
    message: t.exposeString('message'),
  }),
});

const FieldErrorType = builder.objectRef<FieldError>('FieldError').implement({
  fields: (t) => ({
    path: t.exposeStringList('path'),
    message: t.exposeString('message'),
  }),
});

export const PasswordViolationType = builder.objectRef<PasswordViolation>('PasswordViolation').implement({
  fields: (t) => ({
    rule: t.field({ type: PasswordRuleEnum, resolve: (violation) => violation.rule }),
    message: t.exposeString('message'),
  }),
});

/**
 * The GraphQL object type of each code's error class. Keyed by every code,
 * so a code added to ERROR_CODES without a type here does not compile.
 */
const errorTypes: Record<ErrorCode, () => unknown> = {
  VALIDATION_FAILED: () =>
    builder.objectType(ValidationError, {
      name: 'ValidationError',
      interfaces: [ErrorInterface],
      fields: (t) => ({ fieldErrors: t.field({ type: [FieldErrorType], resolve: (error) => error.fieldErrors }) }),
    }),
  WEAK_PASSWORD: () =>
    builder.objectType(WeakPasswordError, {
      name: 'WeakPasswordError',
      interfaces: [ErrorInterface],
      fields: (t) => ({ violations: t.field({ type: [PasswordViolationType], resolve: (error) => error.violations }) }),
    }),
  RATE_LIMITED: () =>
    builder.objectType(RateLimitedError, {
      name: 'RateLimitedError',
      interfaces: [ErrorInterface],
      fields: (t) => ({ retryAfterSeconds: t.exposeInt('retryAfterSeconds') }),
    }),
  INVALID_SESSION: () => builder.objectType(InvalidSessionError, { name: 'InvalidSessionError', interfaces: [ErrorInterface], fields: () => ({}) }),
  INVALID_CREDENTIALS: () => builder.objectType(InvalidCredentialsError, { name: 'InvalidCredentialsError', interfaces: [ErrorInterface], fields: () => ({}) }),
  INCORRECT_PASSWORD: () => builder.objectType(IncorrectPasswordError, { name: 'IncorrectPasswordError', interfaces: [ErrorInterface], fields: () => ({}) }),
  PASSWORD_REUSED: () => builder.objectType(PasswordReusedError, { name: 'PasswordReusedError', interfaces: [ErrorInterface], fields: () => ({}) }),
  // Not a union member: an outage is answered as a top-level error with HTTP 503 (see mask-errors.ts).
  SERVICE_UNAVAILABLE: () => undefined,
  EMAIL_TAKEN: () => builder.objectType(EmailTakenError, { name: 'EmailTakenError', interfaces: [ErrorInterface], fields: () => ({}) }),
  SESSION_NOT_FOUND: () =>
    builder.objectType(SessionNotFoundError, { name: 'SessionNotFoundError', interfaces: [ErrorInterface], fields: () => ({}) }),
  SECOND_FACTOR_REQUIRED: () =>
    builder.objectType(SecondFactorRequiredError, { name: 'SecondFactorRequiredError', interfaces: [ErrorInterface], fields: () => ({}) }),
  INCORRECT_SECOND_FACTOR: () =>
    builder.objectType(IncorrectSecondFactorError, { name: 'IncorrectSecondFactorError', interfaces: [ErrorInterface], fields: () => ({}) }),
  INVALID_RESET_TOKEN: () =>
    builder.objectType(InvalidResetTokenError, { name: 'InvalidResetTokenError', interfaces: [ErrorInterface], fields: () => ({}) }),
  INVALID_EMAIL_TOKEN: () =>
    builder.objectType(InvalidEmailTokenError, { name: 'InvalidEmailTokenError', interfaces: [ErrorInterface], fields: () => ({}) }),
  EMAIL_NOT_VERIFIED: () =>
    builder.objectType(EmailNotVerifiedError, { name: 'EmailNotVerifiedError', interfaces: [ErrorInterface], fields: () => ({}) }),
};

for (const register of Object.values(errorTypes)) register();
