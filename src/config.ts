import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { Secret } from './secret.ts';

/** Thrown for any invalid setting; its message is one line naming the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export type PasswordPolicyName = 'standard' | 'nist';

export interface RateLimitRule {
  max: number;
  windowMs: number;
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
  limits: {
    changePassword: RateLimitRule;
    signIn: RateLimitRule;
    signUp: RateLimitRule;
  };
  lockout: {
    /** Consecutive failed password checks on one account before it is blocked. */
    threshold: number;
    /** First cool-down; doubles with each further block. */
    baseSeconds: number;
  };
  /** Unexpected errors' details (message, stack) in answers: only when asked for, whatever `env` says. */
  exposeErrorDetails: boolean;
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
  JWT_TTL: duration(60_000, 30 * 86_400_000).default(3_600_000),
  JWT_ISSUER: z.string().min(1).default('rekey'),
  JWT_AUDIENCE: z.string().min(1).default('rekey'),
  BCRYPT_COST: intIn(4, 31).default(12),
  PASSWORD_POLICY: z.enum(['standard', 'nist'], { error: 'must be standard or nist' }).default('standard'),
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
  EXPOSE_ERROR_DETAILS: bool.optional(),
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
    },
    lockout: { threshold: env.LOCKOUT_THRESHOLD, baseSeconds: Math.floor(env.LOCKOUT_BASE / 1000) },
    exposeErrorDetails: env.EXPOSE_ERROR_DETAILS ?? false,
  };
}

/** Adds a `.env` file in the working directory to the environment (never overriding it). */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}
