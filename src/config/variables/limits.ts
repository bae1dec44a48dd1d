import { DAY_MS, duration, wholeNumber } from '../parsers.ts';
import { defineGroup } from '../variable.ts';

const perWindow = wholeNumber(1, 1_000_000);

export const limits = defineGroup('Limits and lockout', {
  RATE_LIMIT_WINDOW: {
    parse: duration(1_000, DAY_MS),
    default: '1m',
    description: 'the sliding window of the limits below (all but `PASSWORD_RESET_RATE_LIMIT`)',
  },
  CHANGE_PASSWORD_RATE_LIMIT: { parse: perWindow, default: '10', description: 'attempts per window, per account and per client address' },
  SIGN_IN_RATE_LIMIT: {
    parse: perWindow,
    default: '10',
    description: 'attempts per window, per client address; a sign-in with a trusted device token, per device instead',
  },
  SIGN_IN_EMAIL_RATE_LIMIT: {
    parse: perWindow,
    default: '60',
    description:
      'sign-in attempts per window, per email (without a device token); larger than the per-address limit so that one address, or five, cannot fill it',
  },
  TRUSTED_SIGN_IN_RATE_LIMIT: {
    parse: perWindow,
    default: '30',
    description: 'sign-ins with a trusted device token per window, per client address, whatever the devices',
  },
  SIGN_UP_RATE_LIMIT: { parse: perWindow, default: '10', description: 'attempts per window, per client address' },
  REFRESH_RATE_LIMIT: { parse: perWindow, default: '60', description: '`refreshSession` calls per window, per client address' },
  PASSWORD_RESET_RATE_LIMIT: {
    parse: perWindow,
    default: '5',
    description: '`requestPasswordReset` calls per `PASSWORD_RESET_RATE_WINDOW`, per client address',
  },
  PASSWORD_RESET_EMAIL_RATE_LIMIT: {
    parse: perWindow,
    default: '30',
    description:
      '`requestPasswordReset` calls per `PASSWORD_RESET_RATE_WINDOW`, per email (unknown emails alike); larger than the per-address limit so that one address, or five, cannot fill it',
  },
  PASSWORD_RESET_RATE_WINDOW: {
    parse: duration(1_000, 7 * DAY_MS),
    default: '1h',
    description: 'the sliding window of `PASSWORD_RESET_RATE_LIMIT`',
  },
  RESET_TOKEN_RATE_LIMIT: {
    parse: perWindow,
    default: '10',
    description: '`resetPassword` and `secureAccount` calls (together) per `RATE_LIMIT_WINDOW`, per client address',
  },
  SECOND_FACTOR_RATE_LIMIT: {
    parse: perWindow,
    default: '10',
    description:
      'second-factor code checks (and the password checks of enrolling or disabling TOTP) per window, per account; wrong codes also count as failed checks of the session or the account, like wrong passwords',
  },
  LOCKOUT_THRESHOLD: {
    parse: perWindow,
    default: '100',
    description: 'failed password checks in a row (within `LOCKOUT_WINDOW`) before an account is blocked',
  },
  LOCKOUT_BASE: { parse: duration(1_000, DAY_MS), default: '15m', description: 'first block; each further block in the window doubles' },
  LOCKOUT_MAX: { parse: duration(1_000, 30 * DAY_MS), default: '24h', description: 'no block is longer than this' },
  LOCKOUT_WINDOW: {
    parse: duration(1_000, 365 * DAY_MS),
    default: '24h',
    description: 'failures (and the blocks they caused) older than this no longer count',
  },
});
