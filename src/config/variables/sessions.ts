import { z } from 'zod';
import { bool, DAY_MS, duration, oneOf, secret, secretFile, wholeNumber } from '../parsers.ts';
import { defineGroup } from '../variable.ts';

export const sessions = defineGroup('Tokens and sessions', {
  JWT_ALGORITHM: {
    parse: oneOf(['ES256', 'HS256'] as const),
    default: 'ES256',
    description:
      'how access tokens are signed: `ES256` with key pairs kept in the database and published at `/.well-known/jwks.json` (other services verify without a secret), or `HS256` with `JWT_SECRET` (round 1). Switching from `HS256` to `ES256` signs no one out: see docs/api/tokens.md',
  },
  SERVER_SECRET: {
    parse: secret,
    unset: 'falls back to `JWT_SECRET`; development: generated into `DATA_DIR`',
    description:
      "the server's own secret, at least 32 bytes: encrypts the token signing keys at rest and keys the device tokens and the shared rate-limit keys; required in production with `ES256` unless `JWT_SECRET` is set (this or `SERVER_SECRET_FILE`). Every instance and the admin CLI share it",
  },
  SERVER_SECRET_FILE: {
    parse: secretFile,
    description: 'a file holding the server secret instead of `SERVER_SECRET` (not both)',
  },
  JWT_SECRET: {
    parse: secret,
    unset: 'development: generated into `DATA_DIR`',
    description:
      'HS256 signing secret, at least 32 bytes; required in production with `JWT_ALGORITHM=HS256` (this or `JWT_SECRET_FILE`). With `ES256`, tokens it signed before the switch are still accepted until they expire',
  },
  JWT_SECRET_FILE: {
    parse: secretFile,
    description: 'a file holding the signing secret instead of `JWT_SECRET` (not both)',
  },
  JWKS_MAX_AGE: {
    parse: duration(1_000, DAY_MS),
    default: '5m',
    description: "`Cache-Control: max-age` of `/.well-known/jwks.json`: how long another service may keep the key set before it asks again",
  },
  JWT_KEY_ACTIVATION_DELAY: {
    parse: duration(1_000, 30 * DAY_MS),
    default: '10m',
    description:
      'after `keys rotate`, how long the next key is published before any instance signs with it; at least `JWKS_MAX_AGE` plus the key-set refresh (a tenth of this, at most 30s), so every cache has it first',
  },
  JWT_TTL: {
    parse: duration(2_000, 30 * DAY_MS),
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
