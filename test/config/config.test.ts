import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../src/config/config.ts';
import { TEST_SECRET } from '../support/server.ts';

const expectConfigError = (env: Record<string, string>, pattern: RegExp) => {
  expect(() => loadConfig(env)).toThrow(ConfigError);
  expect(() => loadConfig(env)).toThrow(pattern);
};

describe('configuration', () => {
  it('needs nothing to run in development', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      env: 'development',
      port: 4000,
      host: '127.0.0.1',
      databaseUrl: null,
      dataDir: '.data',
      redisUrl: null,
      jwtAlgorithm: 'ES256',
      jwtSecret: null,
      serverSecret: null,
      jwksMaxAgeMs: 300_000,
      keyActivationDelayMs: 600_000,
      jwtTtlSeconds: 900,
      bcryptCost: 12,
      passwordPolicy: 'standard',
      corsOrigins: '*',
      trustProxyHops: 0,
      federation: false,
      graphiql: true,
      introspection: true,
      limits: {
        changePassword: { max: 10, windowMs: 60_000 },
        signIn: { max: 10, windowMs: 60_000, bySubject: { email: { max: 60, windowMs: 60_000 } } },
        trustedSignIn: { max: 10, windowMs: 60_000, bySubject: { address: { max: 30, windowMs: 60_000 } } },
        signUp: { max: 10, windowMs: 60_000 },
        refreshSession: { max: 60, windowMs: 60_000 },
        requestPasswordReset: { max: 5, windowMs: 3_600_000, bySubject: { email: { max: 30, windowMs: 3_600_000 } } },
        redeemAccountToken: { max: 10, windowMs: 60_000 },
      },
      lockout: { threshold: 100, baseSeconds: 900 },
      sessions: { ttlMs: 30 * 86_400_000, idleTimeoutMs: 7 * 86_400_000, reuseGraceMs: 10_000, maxPerUser: 50, retentionMs: 7 * 86_400_000 },
      sessionCookie: false,
      legacyJwtSecret: null,
      legacyJwtMaxAgeMs: 86_400_000,
    });
  });

  it('hardens the defaults in production', () => {
    const config = loadConfig({ NODE_ENV: 'production', JWT_SECRET: TEST_SECRET });
    expect(config).toMatchObject({ corsOrigins: [], graphiql: false, introspection: false, maskErrors: true });
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: TEST_SECRET, GRAPHQL_INTROSPECTION: 'true' }).introspection).toBe(true);
  });

  it.each([
    [{ NODE_ENV: 'production' }, /SERVER_SECRET \(or SERVER_SECRET_FILE\) is required when NODE_ENV=production/],
    [{ NODE_ENV: 'production', JWT_ALGORITHM: 'HS256', SERVER_SECRET: TEST_SECRET }, /JWT_SECRET \(or JWT_SECRET_FILE\) is required/],
    [{ JWT_ALGORITHM: 'RS256' }, /JWT_ALGORITHM/],
    [{ JWKS_MAX_AGE: '10m', JWT_KEY_ACTIVATION_DELAY: '10m' }, /JWT_KEY_ACTIVATION_DELAY must be at least JWKS_MAX_AGE/],
    [{ JWT_SECRET: 'too-short' }, /JWT_SECRET must be at least 32 bytes/],
    [{ JWT_SECRET_FILE: '/nonexistent/secret' }, /JWT_SECRET_FILE cannot be read/],
    [{ DATABASE_URL: 'not a url' }, /DATABASE_URL/],
    [{ DATABASE_URL: 'mysql://localhost/x' }, /DATABASE_URL/],
    [{ REDIS_URL: 'localhost:6379' }, /REDIS_URL/],
    [{ BCRYPT_COST: '3' }, /BCRYPT_COST/],
    [{ BCRYPT_COST: '32' }, /BCRYPT_COST/],
    [{ BCRYPT_COST: 'twelve' }, /BCRYPT_COST/],
    [{ PORT: '70000' }, /PORT/],
    [{ JWT_TTL: 'forever' }, /JWT_TTL/],
    [{ PASSWORD_POLICY: 'lax' }, /PASSWORD_POLICY/],
    [{ CORS_ORIGINS: 'https://ok.example, not-an-origin' }, /CORS_ORIGINS/],
    [{ TRUST_PROXY: 'maybe' }, /TRUST_PROXY/],
    [{ SESSION_TTL: 'a month' }, /SESSION_TTL/],
    [{ SESSION_IDLE_TIMEOUT: '0' }, /SESSION_IDLE_TIMEOUT/],
    [{ REFRESH_REUSE_GRACE: '1h' }, /REFRESH_REUSE_GRACE/],
    [{ MAX_SESSIONS_PER_USER: '0' }, /MAX_SESSIONS_PER_USER/],
    [{ SESSION_COOKIE: 'sometimes' }, /SESSION_COOKIE/],
    [{ LEGACY_JWT_SECRET: 'too-short' }, /LEGACY_JWT_SECRET must be at least 32 bytes/],
  ])('refuses %p with one line naming the variable', (env, pattern) => {
    expectConfigError(env, pattern);
  });

  it('reads the secret from JWT_SECRET_FILE and never prints it', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'rekey-secret-')), 'secret');
    writeFileSync(file, `${TEST_SECRET}\n`);
    const config = loadConfig({ JWT_SECRET_FILE: file });
    expect(config.jwtSecret?.byteLength).toBe(TEST_SECRET.length);
    expect(JSON.stringify(config)).not.toContain(TEST_SECRET);
    expect(String(config.jwtSecret)).toBe('[secret]');
  });

  it('reads LEGACY_JWT_SECRET and never prints it', () => {
    const legacy = 'the-original-login-workflows-secret-32+';
    const config = loadConfig({ LEGACY_JWT_SECRET: legacy });
    expect(config.legacyJwtSecret?.bytes.toString()).toBe(legacy);
    expect(JSON.stringify(config)).not.toContain(legacy);
  });

  it('parses durations, policy and proxy hops', () => {
    const config = loadConfig({ JWT_TTL: '15m', PASSWORD_POLICY: 'nist', TRUST_PROXY: 'true', RATE_LIMIT_WINDOW: '2s', CORS_ORIGINS: 'https://a.example,https://b.example' });
    expect(config).toMatchObject({ jwtTtlSeconds: 900, passwordPolicy: 'nist', trustProxyHops: 1, corsOrigins: ['https://a.example', 'https://b.example'] });
    expect(config.limits.signIn.windowMs).toBe(2000);
  });

  it('reads the operations settings: LOG_LEVEL, METRICS_TOKEN (kept secret), SHUTDOWN_TIMEOUT', () => {
    expect(loadConfig({})).toMatchObject({ logLevel: 'info', metricsToken: null, shutdownTimeoutMs: 30_000 });
    const config = loadConfig({ LOG_LEVEL: 'debug', METRICS_TOKEN: 'scrape-token-0123456789', SHUTDOWN_TIMEOUT: '10s' });
    expect(config).toMatchObject({ logLevel: 'debug', shutdownTimeoutMs: 10_000 });
    expect(config.metricsToken?.bytes.toString()).toBe('scrape-token-0123456789');
    expect(JSON.stringify(config)).not.toContain('scrape-token-0123456789');
    expectConfigError({ LOG_LEVEL: 'loud' }, /^Invalid configuration: LOG_LEVEL must be trace, debug, info, warn, error, fatal or silent$/);
    expectConfigError({ METRICS_TOKEN: 'short' }, /^Invalid configuration: METRICS_TOKEN must be at least 16 characters$/);
    expectConfigError({ SHUTDOWN_TIMEOUT: 'soon' }, /^Invalid configuration: SHUTDOWN_TIMEOUT must be a duration/);
  });
});

describe('start-up with invalid configuration', () => {
  const start = (env: Record<string, string>) =>
    spawnSync(process.execPath, ['src/main.ts'], {
      env: { PATH: process.env.PATH ?? '', DATA_DIR: mkdtempSync(join(tmpdir(), 'rekey-start-')), PORT: '0', ...env },
      encoding: 'utf8',
      timeout: 20_000,
    });

  it.each([
    [{ NODE_ENV: 'production' }, 'SERVER_SECRET'],
    [{ DATABASE_URL: 'postgres//broken' }, 'DATABASE_URL'],
    [{ BCRYPT_COST: '40' }, 'BCRYPT_COST'],
  ])('exits non-zero with one line naming the variable for %p', (env, variable) => {
    const result = start(env);
    expect(result.status).not.toBe(0);
    const lines = result.stderr.trim().split('\n').filter((line) => !line.includes('ExperimentalWarning') && !line.includes('--trace-warnings'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(variable);
    expect(lines[0]).toMatch(/^Rekey failed to start: Invalid configuration: /);
  });
});
