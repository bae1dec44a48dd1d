import { z } from 'zod';
import { bool, DAY_MS, duration, secret, secretFile, wholeNumber } from '../parsers.ts';
import { defineGroup } from '../variable.ts';

export const sessions = defineGroup('Tokens and sessions', {
  JWT_SECRET: {
    parse: secret,
    unset: 'development: generated into `DATA_DIR`',
    description: 'HS256 signing secret, at least 32 bytes; required in production (this or `JWT_SECRET_FILE`)',
  },
  JWT_SECRET_FILE: {
    parse: secretFile,
    description: 'a file holding the signing secret instead of `JWT_SECRET` (not both)',
  },
  JWT_TTL: {
    parse: duration(60_000, 30 * DAY_MS),
    default: '15m',
    description: 'access-token lifetime (`90s`, `15m`, `1h`); sessions last longer, see `SESSION_TTL`',
  },
  JWT_ISSUER: { parse: z.string(), default: 'rekey', description: 'the issuer written into and checked on every token' },
  JWT_AUDIENCE: { parse: z.string(), default: 'rekey', description: 'the audience written into and checked on every token' },
  LEGACY_JWT_SECRET: {
    parse: secret,
    unset: 'unset: such tokens are refused',
    description:
      "the original login workflow's HS256 secret (at least 32 bytes): its tokens are accepted until the account's next password change, see the README's \"Coming from a /change-password workflow\"",
  },
  LEGACY_JWT_MAX_AGE: {
    parse: duration(0, 400 * DAY_MS),
    default: '24h',
    description:
      "a token from the original login is refused once its `iat` is older than this, whatever its `exp` (and without `iat` at all); `0`: no maximum age. An `iat` more than a minute ahead is always refused",
  },
  SESSION_TTL: { parse: duration(1_000, 400 * DAY_MS), default: '30d', description: "a session's absolute lifetime from sign-in" },
  SESSION_IDLE_TIMEOUT: {
    parse: duration(1_000, 400 * DAY_MS),
    default: '7d',
    description: 'a session not refreshed for this long has ended',
  },
  REFRESH_REUSE_GRACE: {
    parse: duration(0, 300_000),
    default: '10s',
    description: 'a rotated refresh token presented again within this time gets a new access token and the same successor (a second tab); later, the session is revoked',
  },
  MAX_SESSIONS_PER_USER: {
    parse: wholeNumber(1, 10_000),
    default: '50',
    description: 'active sessions per account; a new one revokes the least recently active',
  },
  SESSION_RETENTION: {
    parse: duration(0, 400 * DAY_MS),
    default: '7d',
    description: 'ended sessions are deleted this long after they ended (hourly sweep)',
  },
  SESSION_COOKIE: {
    parse: bool,
    default: 'false',
    description: 'cookie mode for browser front ends: the refresh token only in an `HttpOnly` cookie (and the device token in another)',
  },
  SESSION_FAILURE_LIMIT: {
    parse: wholeNumber(1, 1_000),
    default: '10',
    description: 'wrong current passwords in a row in `changePassword` that revoke the session sending them (1–1000)',
  },
});
