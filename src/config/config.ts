import { existsSync } from 'node:fs';
import type { LimitRules } from '../limits/attempt-limiter.ts';
import type { LockoutSettings } from '../lockout/failed-checks.ts';
import type { SessionSettings } from '../sessions/session-settings.ts';
import { ConfigError } from './config-error.ts';
import type { Config } from './config-shape.ts';
import { notificationsOf } from './notifications-config.ts';
import type { Secret } from '../secrets/secret.ts';
import { keyRefreshIntervalMs } from '../access-tokens/key-schedule.ts';
import { type ConfigValues, readVariables } from './variables.ts';

export { ConfigError } from './config-error.ts';
export type { Config, NotificationsConfig } from './config-shape.ts';
export { parseDurationMs } from './parsers.ts';

/** Reads and validates the environment once; throws ConfigError naming the first bad variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const values = readVariables(source);
  const production = values.NODE_ENV === 'production';
  return {
    env: values.NODE_ENV,
    port: values.PORT,
    host: values.HOST,
    databaseUrl: values.DATABASE_URL ?? null,
    dataDir: values.DATA_DIR,
    redisUrl: values.REDIS_URL ?? null,
    redisKeyPrefix: values.REDIS_KEY_PREFIX,
    redisTimeoutMs: values.REDIS_TIMEOUT,
    ...tokenKeysOf(values),
    jwtTtlSeconds: Math.floor(values.JWT_TTL / 1000),
    jwtIssuer: values.JWT_ISSUER,
    jwtAudience: values.JWT_AUDIENCE,
    bcryptCost: values.BCRYPT_COST,
    firebaseScrypt: firebaseScryptOf(values),
    bcryptThreadNice: values.BCRYPT_THREAD_NICE,
    passwordPolicy: values.PASSWORD_POLICY,
    corsOrigins: values.CORS_ORIGINS ?? (production ? [] : '*'),
    trustProxyHops: values.TRUST_PROXY,
    federation: values.FEDERATION,
    introspection: values.GRAPHQL_INTROSPECTION ?? !production,
    // GraphiQL would offer ad-hoc documents that trusted documents refuse.
    graphiql: (values.GRAPHIQL ?? !production) && values.TRUSTED_DOCUMENTS === undefined,
    trustedDocuments: values.TRUSTED_DOCUMENTS ?? null,
    maskErrors: production || values.NODE_ENV === 'test',
    requestTimeoutMs: values.REQUEST_TIMEOUT,
    statementTimeoutMs: values.DB_STATEMENT_TIMEOUT,
    maxBodyBytes: values.MAX_BODY_BYTES,
    limits: limitsOf(values),
    lockout: lockoutOf(values),
    accountUi: values.ACCOUNT_UI ?? !production,
    breachedPasswords: {
      source: values.BREACHED_PASSWORDS,
      timeoutMs: values.BREACHED_PASSWORDS_TIMEOUT,
      onError: values.BREACHED_PASSWORDS_ON_ERROR,
    },
    passwordHistory: values.PASSWORD_HISTORY,
    notifications: notificationsOf(values),
    dbConnectTimeoutMs: values.DB_CONNECT_TIMEOUT,
    logLevel: values.LOG_LEVEL,
    metricsToken: values.METRICS_TOKEN ?? null,
    tracing: values.OTEL_EXPORTER_OTLP_ENDPOINT ? { endpoint: values.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: values.OTEL_SERVICE_NAME } : null,
    shutdownTimeoutMs: values.SHUTDOWN_TIMEOUT,
    sessions: sessionsOf(values),
    sessionCookie: values.SESSION_COOKIE,
    exposeErrorDetails: values.EXPOSE_ERROR_DETAILS ?? false,
    legacyJwtSecret: values.LEGACY_JWT_SECRET ?? null,
    secondFactor: secondFactorOf(values),
    legacyJwtMaxAgeMs: values.LEGACY_JWT_MAX_AGE === 0 ? null : values.LEGACY_JWT_MAX_AGE,
  };
}

function firebaseScryptOf(values: ConfigValues): Config['firebaseScrypt'] {
  if (values.FIREBASE_SCRYPT_SIGNER_KEY === undefined) return null;
  return {
    signerKey: values.FIREBASE_SCRYPT_SIGNER_KEY,
    saltSeparator: values.FIREBASE_SCRYPT_SALT_SEPARATOR,
    rounds: values.FIREBASE_SCRYPT_ROUNDS,
    memCost: values.FIREBASE_SCRYPT_MEM_COST,
  };
}

/** A secret given directly or as a file; null when neither is set. */
function eitherSecret(name: string, direct: Secret | undefined, file: Secret | undefined): Secret | null {
  if (direct !== undefined && file !== undefined) throw new ConfigError(`Invalid configuration: set ${name} or ${name}_FILE, not both`);
  return direct ?? file ?? null;
}

/**
 * The signing algorithm and the secrets behind it. Null secrets mean
 * development generates one into DATA_DIR; production refuses to start
 * without what its algorithm needs.
 */
function tokenKeysOf(values: ConfigValues): Pick<Config, 'jwtAlgorithm' | 'jwtSecret' | 'serverSecret' | 'jwksMaxAgeMs' | 'keyActivationDelayMs'> {
  const jwtSecret = eitherSecret('JWT_SECRET', values.JWT_SECRET, values.JWT_SECRET_FILE);
  const serverSecret = eitherSecret('SERVER_SECRET', values.SERVER_SECRET, values.SERVER_SECRET_FILE) ?? jwtSecret;
  const production = values.NODE_ENV === 'production';
  if (production && values.JWT_ALGORITHM === 'HS256' && jwtSecret === null) {
    throw new ConfigError('Invalid configuration: JWT_SECRET (or JWT_SECRET_FILE) is required when NODE_ENV=production and JWT_ALGORITHM=HS256');
  }
  if (production && serverSecret === null) {
    throw new ConfigError(
      'Invalid configuration: SERVER_SECRET (or SERVER_SECRET_FILE) is required when NODE_ENV=production: it encrypts the token signing keys and keys the device tokens',
    );
  }
  const refreshMs = keyRefreshIntervalMs(values.JWT_KEY_ACTIVATION_DELAY);
  if (values.JWT_KEY_ACTIVATION_DELAY < values.JWKS_MAX_AGE + refreshMs) {
    throw new ConfigError(
      'Invalid configuration: JWT_KEY_ACTIVATION_DELAY must be at least JWKS_MAX_AGE plus the key-set refresh (a tenth of the delay, at most 30s), so every cache has a new key before it signs',
    );
  }
  return {
    jwtAlgorithm: values.JWT_ALGORITHM,
    jwtSecret,
    serverSecret,
    jwksMaxAgeMs: values.JWKS_MAX_AGE,
    keyActivationDelayMs: values.JWT_KEY_ACTIVATION_DELAY,
  };
}

function limitsOf(values: ConfigValues): LimitRules {
  const windowMs = values.RATE_LIMIT_WINDOW;
  return {
    changePassword: { max: values.CHANGE_PASSWORD_RATE_LIMIT, windowMs },
    signIn: { max: values.SIGN_IN_RATE_LIMIT, windowMs, bySubject: { email: { max: values.SIGN_IN_EMAIL_RATE_LIMIT, windowMs } } },
    trustedSignIn: { max: values.SIGN_IN_RATE_LIMIT, windowMs, bySubject: { address: { max: values.TRUSTED_SIGN_IN_RATE_LIMIT, windowMs } } },
    signUp: { max: values.SIGN_UP_RATE_LIMIT, windowMs },
    refreshSession: { max: values.REFRESH_RATE_LIMIT, windowMs },
    requestPasswordReset: {
      max: values.PASSWORD_RESET_RATE_LIMIT,
      windowMs: values.PASSWORD_RESET_RATE_WINDOW,
      bySubject: { email: { max: values.PASSWORD_RESET_EMAIL_RATE_LIMIT, windowMs: values.PASSWORD_RESET_RATE_WINDOW } },
    },
    redeemAccountToken: { max: values.RESET_TOKEN_RATE_LIMIT, windowMs },
    secondFactor: { max: values.SECOND_FACTOR_RATE_LIMIT, windowMs },
  };
}

/** TOTP_ENCRYPTION_KEY unset: derived from the server secret (compose-services.ts), with a warning in production. */
function secondFactorOf(values: ConfigValues): Config['secondFactor'] {
  return { encryptionKey: values.TOTP_ENCRYPTION_KEY ?? null, issuer: values.TOTP_ISSUER, challengeTtlMs: values.SECOND_FACTOR_CHALLENGE_TTL };
}

function lockoutOf(values: ConfigValues): LockoutSettings {
  return {
    threshold: values.LOCKOUT_THRESHOLD,
    baseSeconds: Math.floor(values.LOCKOUT_BASE / 1000),
    // A maximum below the first block would shorten it; the first block wins.
    maxSeconds: Math.floor(Math.max(values.LOCKOUT_MAX, values.LOCKOUT_BASE) / 1000),
    windowSeconds: Math.floor(values.LOCKOUT_WINDOW / 1000),
  };
}

function sessionsOf(values: ConfigValues): SessionSettings {
  return {
    ttlMs: values.SESSION_TTL,
    idleTimeoutMs: values.SESSION_IDLE_TIMEOUT,
    reuseGraceMs: values.REFRESH_REUSE_GRACE,
    maxPerUser: values.MAX_SESSIONS_PER_USER,
    retentionMs: values.SESSION_RETENTION,
    failureLimit: values.SESSION_FAILURE_LIMIT,
  };
}

/** Adds a `.env` file in the working directory to the environment (never overriding it). */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}
