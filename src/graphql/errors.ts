import {
  DomainError,
  EmailTakenError,
  IncorrectPasswordError,
  InvalidCredentialsError,
  InvalidSessionError,
  PasswordReusedError,
  RateLimitedError,
  ValidationError,
  WeakPasswordError,
  type ErrorCode,
  type FieldError,
} from '../accounts/errors.ts';
import type { PasswordRule, PasswordViolation } from '../accounts/password-policy.ts';
import { builder } from './builder.ts';

const errorCodes: ErrorCode[] = [
  'VALIDATION_FAILED',
  'INVALID_SESSION',
  'INVALID_CREDENTIALS',
  'INCORRECT_PASSWORD',
  'WEAK_PASSWORD',
  'PASSWORD_REUSED',
  'EMAIL_TAKEN',
  'RATE_LIMITED',
  'SERVICE_UNAVAILABLE',
];
export const ErrorCodeEnum = builder.enumType('ErrorCode', { values: errorCodes });

const passwordRules: PasswordRule[] = ['MIN_LENGTH', 'MAX_LENGTH', 'UPPERCASE', 'LOWERCASE', 'DIGIT', 'SPECIAL', 'COMMON', 'CONTAINS_EMAIL'];
export const PasswordRuleEnum = builder.enumType('PasswordRule', { values: passwordRules });

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

builder.objectType(ValidationError, {
  name: 'ValidationError',
  interfaces: [ErrorInterface],
  fields: (t) => ({ fieldErrors: t.field({ type: [FieldErrorType], resolve: (error) => error.fieldErrors }) }),
});

builder.objectType(WeakPasswordError, {
  name: 'WeakPasswordError',
  interfaces: [ErrorInterface],
  fields: (t) => ({ violations: t.field({ type: [PasswordViolationType], resolve: (error) => error.violations }) }),
});

builder.objectType(RateLimitedError, {
  name: 'RateLimitedError',
  interfaces: [ErrorInterface],
  fields: (t) => ({ retryAfterSeconds: t.exposeInt('retryAfterSeconds') }),
});

for (const [errorClass, name] of [
  [InvalidSessionError, 'InvalidSessionError'],
  [InvalidCredentialsError, 'InvalidCredentialsError'],
  [IncorrectPasswordError, 'IncorrectPasswordError'],
  [PasswordReusedError, 'PasswordReusedError'],
  [EmailTakenError, 'EmailTakenError'],
] as const) {
  builder.objectType(errorClass, { name, interfaces: [ErrorInterface], fields: () => ({}) });
}
