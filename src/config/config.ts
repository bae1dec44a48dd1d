import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import type { BreachedPasswordSettings, BreachedPasswordSource } from '../passwords/breached/breached-passwords.ts';
import type { LockoutSettings } from '../lockout/failed-checks.ts';
import type { SessionSettings } from '../sessions/session-settings.ts';
import { PASSWORD_POLICY_NAMES, type PasswordPolicyName } from '../passwords/password-policy.ts';
import type { LimitRules } from '../limits/attempt-limiter.ts';
import { isSecurityEventKind, SECURITY_EVENT_KINDS, type SecurityEventKind } from '../events/security-event-kind.ts';
import type { LogLevelName } from '../observability/logging.ts';
import { Secret } from './secret.ts';

/** Thrown for any invalid setting; its message is one line naming the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  databaseUrl: string | null;
  dataDir: string;
  redisUrl: string | null;
  /** Prefix of every rate-limit key in Redis; instances that share limits share it. */
  redisKeyPrefix: string;
  /** Null when JWT_SECRET / JWT_SECRET_FILE are unset (development generates one into DATA_DIR). */
  jwtSecret: Secret | null;
  jwtTtlSeconds: number;
  jwtIssuer: string;
  jwtAudience: string;
  bcryptCost: number;
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
}

/** Security events, the outbox and its channels (see docs/security-events.md). */
export interface NotificationsConfig {
  /** Null: no webhook channel. */
  webhook: { url: string; secret: Secret; events: SecurityEventKind[] } | null;
  /** Null: no email channel. */
  email: {
    smtpUrl: Secret;
    from: string;
    /** Contain `{token}`. */
    accountSecureUrl: string;
    passwordResetUrl: string;
  } | null;
  passwordResetTtlMs: number;
  outbox: {
    maxAttempts: number;
    backoffBaseMs: number;
    backoffMaxMs: number;
    pollIntervalMs: number;
    /** How long a worker's claim on a message lasts; an abandoned claim is retried after it. */
    claimTimeoutMs: number;
    /** Delivered messages are deleted after this. */
    doneRetentionMs: number;
  };
  securityEventRetentionMs: number;
  /** How often the retention sweep runs in each instance. */
  sweepIntervalMs: number;
}


const DURATION = /^(\d+)\s*(ms|s|m|h|d)?$/;
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Parses `90`, `90s`, `15m`, `1h`, `7d` (a bare number is seconds). */
export function parseDurationMs(text: string): number | null {
  const match = DURATION.exec(text.trim());
  if (!match) return null;
  const unit = (match[2] ?? 's') as keyof typeof UNIT_MS;
  return Number(match[1]) * UNIT_MS[unit];
}

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], { error: 'must be true or false' })
  .transform((value) => ['true', '1', 'yes', 'on'].includes(value));

const intIn = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(min, `must be from ${min} to ${max}`).max(max, `must be from ${min} to ${max}`));

const duration = (min: number, max: number) =>
  z.string().transform((text, ctx) => {
    const value = parseDurationMs(text);
    if (value === null || value < min || value > max) {
      ctx.addIssue({ code: 'custom', message: `must be a duration such as 30s, 15m or 1h (${min / 1000}s to ${max / 1000}s)` });
      return z.NEVER;
    }
    return value;
  });

const url = (protocols: string[]) =>
  z.string().refine((text) => {
    try {
      return protocols.includes(new URL(text).protocol);
    } catch {
      return false;
    }
  }, `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`);

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test'], { error: 'must be development, production or test' }).default('development'),
  PORT: intIn(0, 65_535).default(4000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
  DATA_DIR: z.string().min(1).default('.data'),
  REDIS_URL: url(['redis:', 'rediss:']).optional(),
  REDIS_KEY_PREFIX: z.string().min(1).max(100).default('rekey:limit:'),
  JWT_SECRET: z.string().optional(),
  JWT_SECRET_FILE: z.string().optional(),
  JWT_TTL: duration(60_000, 30 * 86_400_000).default(15 * 60_000),
  JWT_ISSUER: z.string().min(1).default('rekey'),
  JWT_AUDIENCE: z.string().min(1).default('rekey'),
  BCRYPT_COST: intIn(4, 31).default(12),
  BCRYPT_THREAD_NICE: intIn(0, 19).default(10),
  PASSWORD_POLICY: z.enum(PASSWORD_POLICY_NAMES, { error: `must be ${PASSWORD_POLICY_NAMES.join(' or ')}` }).default('standard'),
  CORS_ORIGINS: z.string().optional(),
  TRUST_PROXY: z
    .string()
    .transform((text, ctx) => {
      if (/^\d{1,2}$/.test(text)) return Number(text);
      const parsed = bool.safeParse(text);
      if (parsed.success) return parsed.data ? 1 : 0;
      ctx.addIssue({ code: 'custom', message: 'must be true, false or the number of proxies in front of Rekey' });
      return z.NEVER;
    })
    .default(0),
  GRAPHQL_INTROSPECTION: bool.optional(),
  GRAPHIQL: bool.optional(),
  REQUEST_TIMEOUT: duration(100, 600_000).default(15_000),
  DB_STATEMENT_TIMEOUT: duration(100, 600_000).default(10_000),
  MAX_BODY_BYTES: intIn(1_024, 10_485_760).default(102_400),
  RATE_LIMIT_WINDOW: duration(1_000, 86_400_000).default(60_000),
  CHANGE_PASSWORD_RATE_LIMIT: intIn(1, 1_000_000).default(10),
  SIGN_IN_RATE_LIMIT: intIn(1, 1_000_000).default(10),
  SIGN_UP_RATE_LIMIT: intIn(1, 1_000_000).default(10),
  LOCKOUT_THRESHOLD: intIn(1, 1_000_000).default(100),
  LOCKOUT_BASE: duration(1_000, 86_400_000).default(15 * 60_000),
  LOCKOUT_MAX: duration(1_000, 30 * 86_400_000).default(86_400_000),
  LOCKOUT_WINDOW: duration(1_000, 365 * 86_400_000).default(86_400_000),
  ACCOUNT_UI: bool.optional(),
  BREACHED_PASSWORDS: z
    .string()
    .transform((text, ctx): BreachedPasswordSource => {
      if (text === 'off') return { kind: 'off' };
      if (text.startsWith('file:')) {
        const path = text.slice('file:'.length);
        try {
          accessSync(path, constants.R_OK);
        } catch {
          ctx.addIssue({ code: 'custom', message: `file cannot be read (${path})` });
          return z.NEVER;
        }
        return { kind: 'file', path };
      }
      if (URL.canParse(text) && ['https:', 'http:'].includes(new URL(text).protocol) && !/[?#]/.test(text)) {
        return { kind: 'range-api', baseUrl: text.replace(/\/+$/, '') };
      }
      ctx.addIssue({ code: 'custom', message: 'must be off, a range API base URL (https://…, no query) or file:<path>' });
      return z.NEVER;
    })
    .default({ kind: 'off' }),
  BREACHED_PASSWORDS_TIMEOUT: duration(100, 60_000).default(2_000),
  BREACHED_PASSWORDS_ON_ERROR: z.enum(['allow', 'refuse'], { error: 'must be allow or refuse' }).default('allow'),
  PASSWORD_HISTORY: intIn(0, 24).default(0),
  WEBHOOK_URL: url(['http:', 'https:']).optional(),
  WEBHOOK_SECRET: z.string().optional(),
  WEBHOOK_EVENTS: z.string().optional(),
  SMTP_URL: url(['smtp:', 'smtps:']).optional(),
  MAIL_FROM: z.string().optional(),
  ACCOUNT_SECURE_URL: url(['http:', 'https:']).refine((text) => text.includes('{token}'), 'must contain {token}').optional(),
  PASSWORD_RESET_URL: url(['http:', 'https:']).refine((text) => text.includes('{token}'), 'must contain {token}').optional(),
  PASSWORD_RESET_TTL: duration(60_000, 86_400_000).default(30 * 60_000),
  OUTBOX_MAX_ATTEMPTS: intIn(1, 100).default(12),
  OUTBOX_BACKOFF_BASE: duration(10, 3_600_000).default(1_000),
  OUTBOX_BACKOFF_MAX: duration(10, 86_400_000).default(3_600_000),
  OUTBOX_POLL_INTERVAL: duration(10, 600_000).default(1_000),
  OUTBOX_CLAIM_TIMEOUT: duration(200, 3_600_000).default(60_000),
  OUTBOX_RETENTION: duration(60_000, 3_650 * 86_400_000).default(7 * 86_400_000),
  SECURITY_EVENT_RETENTION: duration(86_400_000, 3_650 * 86_400_000).default(400 * 86_400_000),
  RETENTION_SWEEP_INTERVAL: duration(1_000, 86_400_000).default(3_600_000),
  DB_CONNECT_TIMEOUT: duration(100, 600_000).default(5_000),
  LOG_LEVEL: z
    .enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], { error: 'must be trace, debug, info, warn, error, fatal or silent' })
    .default('info'),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').max(512, 'must be at most 512 characters').optional(),
  SHUTDOWN_TIMEOUT: duration(0, 600_000).default(30_000),
  SESSION_TTL: duration(1_000, 400 * 86_400_000).default(30 * 86_400_000),
  SESSION_IDLE_TIMEOUT: duration(1_000, 400 * 86_400_000).default(7 * 86_400_000),
  REFRESH_REUSE_GRACE: duration(0, 300_000).default(10_000),
  MAX_SESSIONS_PER_USER: intIn(1, 10_000).default(50),
  REFRESH_RATE_LIMIT: intIn(1, 1_000_000).default(60),
  PASSWORD_RESET_RATE_LIMIT: intIn(1, 1_000_000).default(5),
  PASSWORD_RESET_RATE_WINDOW: duration(1_000, 7 * 86_400_000).default(3_600_000),
  RESET_TOKEN_RATE_LIMIT: intIn(1, 1_000_000).default(10),
  SESSION_RETENTION: duration(0, 400 * 86_400_000).default(7 * 86_400_000),
  SESSION_COOKIE: bool.default(false),
  SESSION_FAILURE_LIMIT: intIn(1, 1_000).default(10),
  EXPOSE_ERROR_DETAILS: bool.optional(),
  LEGACY_JWT_SECRET: z.string().optional(),
});

function readSecret(env: z.infer<typeof envSchema>): Secret | null {
  if (env.JWT_SECRET !== undefined && env.JWT_SECRET_FILE !== undefined) {
    throw new ConfigError('Invalid configuration: set JWT_SECRET or JWT_SECRET_FILE, not both');
  }
  let value: string | undefined = env.JWT_SECRET;
  let name = 'JWT_SECRET';
  if (env.JWT_SECRET_FILE !== undefined) {
    name = 'JWT_SECRET_FILE';
    try {
      value = readFileSync(env.JWT_SECRET_FILE, 'utf8').trim();
    } catch {
      throw new ConfigError(`Invalid configuration: JWT_SECRET_FILE cannot be read (${env.JWT_SECRET_FILE})`);
    }
  }
  if (value === undefined) return null;
  const secret = Secret.fromText(value);
  if (secret.byteLength < 32) {
    throw new ConfigError(`Invalid configuration: ${name} must be at least 32 bytes`);
  }
  return secret;
}

function parseOrigins(text: string | undefined, env: Config['env']): Config['corsOrigins'] {
  if (text === undefined) return env === 'production' ? [] : '*';
  const origins = text
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  if (origins.includes('*')) return '*';
  for (const origin of origins) {
    if (!URL.canParse(origin) || new URL(origin).origin !== origin) {
      throw new ConfigError(`Invalid configuration: CORS_ORIGINS has "${origin}", which is not an origin such as https://app.example.com`);
    }
  }
  return origins;
}

/** A bare address, or `Name <address>`: one mailbox, no line breaks, nothing a header could be split with. */
const MAILBOX = /^(?:[^<>\r\n"]{0,100}<([^\s<>@",;]+@[^\s<>@",;]+)>|([^\s<>@",;]+@[^\s<>@",;]+))$/;

function readNotifications(env: z.infer<typeof envSchema>): NotificationsConfig {
  let webhook: NotificationsConfig['webhook'] = null;
  if (env.WEBHOOK_URL !== undefined) {
    if (env.WEBHOOK_SECRET === undefined) throw new ConfigError('Invalid configuration: WEBHOOK_SECRET is required with WEBHOOK_URL');
    const secret = Secret.fromText(env.WEBHOOK_SECRET);
    if (secret.byteLength < 32) throw new ConfigError('Invalid configuration: WEBHOOK_SECRET must be at least 32 bytes');
    let events: SecurityEventKind[] = [...SECURITY_EVENT_KINDS];
    if (env.WEBHOOK_EVENTS !== undefined) {
      const names = env.WEBHOOK_EVENTS.split(',').map((name) => name.trim()).filter(Boolean);
      const unknown = names.find((name) => !isSecurityEventKind(name));
      if (unknown !== undefined || names.length === 0) {
        throw new ConfigError(`Invalid configuration: WEBHOOK_EVENTS must list event kinds such as PASSWORD_CHANGED,SIGNED_IN (unknown: "${unknown ?? ''}")`);
      }
      events = names.filter(isSecurityEventKind);
    }
    webhook = { url: env.WEBHOOK_URL, secret, events };
  }
  let email: NotificationsConfig['email'] = null;
  if (env.SMTP_URL !== undefined) {
    for (const name of ['MAIL_FROM', 'ACCOUNT_SECURE_URL', 'PASSWORD_RESET_URL'] as const) {
      if (env[name] === undefined) throw new ConfigError(`Invalid configuration: ${name} is required with SMTP_URL`);
    }
    const from = env.MAIL_FROM?.trim() ?? '';
    if (!MAILBOX.test(from)) throw new ConfigError('Invalid configuration: MAIL_FROM must be an address such as Rekey <no-reply@example.com>');
    email = {
      smtpUrl: Secret.fromText(env.SMTP_URL),
      from,
      accountSecureUrl: env.ACCOUNT_SECURE_URL ?? '',
      passwordResetUrl: env.PASSWORD_RESET_URL ?? '',
    };
  }
  if (env.OUTBOX_BACKOFF_MAX < env.OUTBOX_BACKOFF_BASE) {
    throw new ConfigError('Invalid configuration: OUTBOX_BACKOFF_MAX must not be shorter than OUTBOX_BACKOFF_BASE');
  }
  return {
    webhook,
    email,
    passwordResetTtlMs: env.PASSWORD_RESET_TTL,
    outbox: {
      maxAttempts: env.OUTBOX_MAX_ATTEMPTS,
      backoffBaseMs: env.OUTBOX_BACKOFF_BASE,
      backoffMaxMs: env.OUTBOX_BACKOFF_MAX,
      pollIntervalMs: env.OUTBOX_POLL_INTERVAL,
      claimTimeoutMs: env.OUTBOX_CLAIM_TIMEOUT,
      doneRetentionMs: env.OUTBOX_RETENTION,
    },
    securityEventRetentionMs: env.SECURITY_EVENT_RETENTION,
    sweepIntervalMs: env.RETENTION_SWEEP_INTERVAL,
  };
}

/** Reads and validates the environment once; throws ConfigError naming the first bad variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  // Empty values count as unset, so `FOO=` in a .env file means "use the default".
  const present = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? 'environment');
    throw new ConfigError(`Invalid configuration: ${name} ${issue?.message ?? 'is invalid'}`);
  }
  const env = parsed.data;
  const production = env.NODE_ENV === 'production';
  const jwtSecret = readSecret(env);
  if (production && jwtSecret === null) {
    throw new ConfigError('Invalid configuration: JWT_SECRET (or JWT_SECRET_FILE) is required when NODE_ENV=production');
  }
  const window = env.RATE_LIMIT_WINDOW;
  return {
    env: env.NODE_ENV,
    port: env.PORT,
    host: env.HOST,
    databaseUrl: env.DATABASE_URL ?? null,
    dataDir: env.DATA_DIR,
    redisUrl: env.REDIS_URL ?? null,
    redisKeyPrefix: env.REDIS_KEY_PREFIX,
    jwtSecret,
    jwtTtlSeconds: Math.floor(env.JWT_TTL / 1000),
    jwtIssuer: env.JWT_ISSUER,
    jwtAudience: env.JWT_AUDIENCE,
    bcryptCost: env.BCRYPT_COST,
    bcryptThreadNice: env.BCRYPT_THREAD_NICE,
    passwordPolicy: env.PASSWORD_POLICY,
    corsOrigins: parseOrigins(env.CORS_ORIGINS, env.NODE_ENV),
    trustProxyHops: env.TRUST_PROXY,
    introspection: env.GRAPHQL_INTROSPECTION ?? !production,
    graphiql: env.GRAPHIQL ?? !production,
    maskErrors: production || env.NODE_ENV === 'test',
    requestTimeoutMs: env.REQUEST_TIMEOUT,
    statementTimeoutMs: env.DB_STATEMENT_TIMEOUT,
    maxBodyBytes: env.MAX_BODY_BYTES,
    limits: {
      changePassword: { max: env.CHANGE_PASSWORD_RATE_LIMIT, windowMs: window },
      signIn: { max: env.SIGN_IN_RATE_LIMIT, windowMs: window },
      signUp: { max: env.SIGN_UP_RATE_LIMIT, windowMs: window },
      refreshSession: { max: env.REFRESH_RATE_LIMIT, windowMs: window },
      requestPasswordReset: { max: env.PASSWORD_RESET_RATE_LIMIT, windowMs: env.PASSWORD_RESET_RATE_WINDOW },
      redeemAccountToken: { max: env.RESET_TOKEN_RATE_LIMIT, windowMs: window },
    },
    lockout: {
      threshold: env.LOCKOUT_THRESHOLD,
      baseSeconds: Math.floor(env.LOCKOUT_BASE / 1000),
      maxSeconds: Math.floor(Math.max(env.LOCKOUT_MAX, env.LOCKOUT_BASE) / 1000),
      windowSeconds: Math.floor(env.LOCKOUT_WINDOW / 1000),
    },
    accountUi: env.ACCOUNT_UI ?? !production,
    breachedPasswords: {
      source: env.BREACHED_PASSWORDS,
      timeoutMs: env.BREACHED_PASSWORDS_TIMEOUT,
      onError: env.BREACHED_PASSWORDS_ON_ERROR,
    },
    passwordHistory: env.PASSWORD_HISTORY,
    notifications: readNotifications(env),
    dbConnectTimeoutMs: env.DB_CONNECT_TIMEOUT,
    logLevel: env.LOG_LEVEL,
    metricsToken: env.METRICS_TOKEN === undefined ? null : Secret.fromText(env.METRICS_TOKEN),
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT,
    sessions: {
      ttlMs: env.SESSION_TTL,
      idleTimeoutMs: env.SESSION_IDLE_TIMEOUT,
      reuseGraceMs: env.REFRESH_REUSE_GRACE,
      maxPerUser: env.MAX_SESSIONS_PER_USER,
      retentionMs: env.SESSION_RETENTION,
      failureLimit: env.SESSION_FAILURE_LIMIT,
    },
    sessionCookie: env.SESSION_COOKIE,
    exposeErrorDetails: env.EXPOSE_ERROR_DETAILS ?? false,
    legacyJwtSecret: readLegacySecret(env.LEGACY_JWT_SECRET),
  };
}

function readLegacySecret(value: string | undefined): Secret | null {
  if (value === undefined) return null;
  const secret = Secret.fromText(value);
  if (secret.byteLength < 32) throw new ConfigError('Invalid configuration: LEGACY_JWT_SECRET must be at least 32 bytes');
  return secret;
}

/** Adds a `.env` file in the working directory to the environment (never overriding it). */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}
