import type { NotificationsConfig } from '../events/notifications-config.ts';
import type { LimitRules } from '../limits/attempt-limiter.ts';
import type { LogLevelName } from '../observability/logging.ts';
import type { BreachedPasswordSettings } from '../passwords/breached/breached-passwords.ts';
import type { LockoutSettings } from '../lockout/failed-checks.ts';
import type { PasswordPolicyName } from '../passwords/password-policy.ts';
import type { SessionSettings } from '../sessions/session-settings.ts';
import type { Secret } from '../secrets/secret.ts';
import type { TrustedDocuments } from '../trusted-documents/manifest.ts';
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
  /** JWT_ALGORITHM: ES256 with the database's key pairs (published as a JWKS), or HS256 with jwtSecret. */
  jwtAlgorithm: 'ES256' | 'HS256';
  /** Null when JWT_SECRET / JWT_SECRET_FILE are unset (development generates one into DATA_DIR). */
  jwtSecret: Secret | null;
  /** SERVER_SECRET (or its file), else JWT_SECRET; null when neither is set (development generates one into DATA_DIR). */
  serverSecret: Secret | null;
  /** Cache-Control max-age of the JWKS answer. */
  jwksMaxAgeMs: number;
  /** How long a rotated-in key is published before instances sign with it. */
  keyActivationDelayMs: number;
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
  /** Serve the Apollo Federation v2 subgraph schema (User @key, _service, _entities) instead of the plain one. */
  federation: boolean;
  introspection: boolean;
  graphiql: boolean;
  /** With a manifest, only its documents run (docs/api/trusted-documents.md); null runs any valid document. */
  trustedDocuments: TrustedDocuments | null;
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
  /** Null: no tracing (OTEL_EXPORTER_OTLP_ENDPOINT unset), and no tracing code loaded. */
  tracing: { endpoint: string; serviceName: string } | null;
  /** How long SIGTERM waits for in-flight requests before closing their connections. */
  shutdownTimeoutMs: number;
  sessions: SessionSettings;
  /** SESSION_COOKIE: refresh tokens travel only in an HttpOnly cookie. */
  sessionCookie: boolean;
  /** Unexpected errors' details (message, stack) in answers: only when asked for, whatever `env` says. */
  exposeErrorDetails: boolean;
  /** TOTP (docs/api/second-factor.md). `encryptionKey` null: derived from the server secret (SERVER_SECRET). */
  secondFactor: { encryptionKey: Secret | null; issuer: string; challengeTtlMs: number };
  /** LEGACY_JWT_SECRET: accept the original login workflow's HS256 tokens; null refuses them like forged ones. */
  legacyJwtSecret: Secret | null;
  /** LEGACY_JWT_MAX_AGE: such a token is refused once older than this; null (`0`): no maximum age. */
  legacyJwtMaxAgeMs: number | null;
}

