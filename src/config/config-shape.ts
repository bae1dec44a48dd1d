import type { NotificationsConfig } from '../events/notifications-config.ts';
import type { LimitRules } from '../limits/attempt-limiter.ts';
import type { LogLevelName } from '../observability/logging.ts';
import type { BreachedPasswordSettings } from '../passwords/breached/breached-passwords.ts';
import type { LockoutSettings } from '../lockout/failed-checks.ts';
import type { PasswordPolicyName } from '../passwords/password-policy.ts';
import type { SessionSettings } from '../sessions/session-settings.ts';
import type { Secret } from '../secrets/secret.ts';
import type { FirebaseScryptParameters } from '../passwords/hashing/firebase-scrypt-format.ts';

export type { NotificationsConfig } from '../events/notifications-config.ts';

/** What the server is configured with: read once at start by loadConfig from the variables in ./variables/. */
export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  databaseUrl: string | null;
  dataDir: string;
  redisUrl: string | null;
  /** Prefix of every rate-limit key in Redis; instances that share limits share it. */
  redisKeyPrefix: string;
  /** Connecting to Redis, and any one command, gives up after this long (then password checks fail closed). */
  redisTimeoutMs: number;
  /** Null when JWT_SECRET / JWT_SECRET_FILE are unset (development generates one into DATA_DIR). */
  jwtSecret: Secret | null;
  jwtTtlSeconds: number;
  jwtIssuer: string;
  jwtAudience: string;
  bcryptCost: number;
  /** The Firebase project's hash parameters; null (no signer key): Firebase hashes are not verified. */
  firebaseScrypt: FirebaseScryptParameters | null;
  /** Niceness (0–19) of the libuv pool threads, where bcrypt runs (Linux): requests on the event loop go first. 0 leaves them alone. */
  bcryptThreadNice: number;
  passwordPolicy: PasswordPolicyName;
  /** `'*'` allows any origin; an empty list allows none. */
  corsOrigins: string[] | '*';
  /** How many proxies in front of us append to X-Forwarded-For (0: ignore the header). */
  trustProxyHops: number;
  introspection: boolean;
  graphiql: boolean;
  maskErrors: boolean;
  requestTimeoutMs: number;
  statementTimeoutMs: number;
  maxBodyBytes: number;
  limits: LimitRules;
  lockout: LockoutSettings;
  /** Serve the self-service page at /account (default: on except in production). */
  accountUi: boolean;
  breachedPasswords: BreachedPasswordSettings;
  /** How many of an account's latest password hashes (the current one included) a new password must differ from; 0 is off. */
  passwordHistory: number;
  notifications: NotificationsConfig;
  /** Connecting to PostgreSQL, or waiting for a free pooled connection, gives up after this long. */
  dbConnectTimeoutMs: number;
  /** pino's level names; `silent` writes nothing. */
  logLevel: LogLevelName;
  /** Null: `/metrics` is not served at all (404). */
  metricsToken: Secret | null;
  /** How long SIGTERM waits for in-flight requests before closing their connections. */
  shutdownTimeoutMs: number;
  sessions: SessionSettings;
  /** SESSION_COOKIE: refresh tokens travel only in an HttpOnly cookie. */
  sessionCookie: boolean;
  /** Unexpected errors' details (message, stack) in answers: only when asked for, whatever `env` says. */
  exposeErrorDetails: boolean;
  /** LEGACY_JWT_SECRET: accept the original login workflow's HS256 tokens; null refuses them like forged ones. */
  legacyJwtSecret: Secret | null;
  /** LEGACY_JWT_MAX_AGE: such a token is refused once older than this; null (`0`): no maximum age. */
  legacyJwtMaxAgeMs: number | null;
}

