import { randomUUID } from 'node:crypto';
import { loadConfig, type Config } from '../../src/config/config.ts';
import type { AppLogger } from '../../src/observability/logging.ts';
import { createRekey, type Rekey } from '../../src/server/runtime.ts';
import { createTestDatabase } from './database.ts';
import { pgliteSeed } from './pglite-seed.ts';

/** How long a test server's drain waits for quiet before closing idle connections (production: 500 ms). */
const TEST_DRAIN_QUIET_MS = 50;

export const TEST_SECRET = 'test-secret-that-is-at-least-32-bytes-long';

export interface TestServer {
  url: string;
  graphqlUrl: string;
  rekey: Rekey;
  config: Config;
  close(): Promise<void>;
}

/**
 * Environment for a test server: fast bcrypt, a fixed secret, and rate limits
 * high enough that only the tests about limits meet them. Overrides win.
 */
export function testEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    SERVER_SECRET: TEST_SECRET,
    BCRYPT_COST: '4',
    PORT: '0',
    HOST: '127.0.0.1',
    SIGN_UP_RATE_LIMIT: '10000',
    SIGN_IN_RATE_LIMIT: '10000',
    SIGN_IN_EMAIL_RATE_LIMIT: '10000',
    TRUSTED_SIGN_IN_RATE_LIMIT: '10000',
    CHANGE_PASSWORD_RATE_LIMIT: '10000',
    PASSWORD_RESET_RATE_LIMIT: '10000',
    PASSWORD_RESET_EMAIL_RATE_LIMIT: '10000',
    RESET_TOKEN_RATE_LIMIT: '10000',
    SECOND_FACTOR_RATE_LIMIT: '10000',
    // A test's server drains for at most this long when it closes.
    SHUTDOWN_TIMEOUT: '5s',
    ...overrides,
  };
}

/**
 * The real app on a loopback port, on a database of its own (PGlite in memory,
 * or a fresh database on DATABASE_URL's server), with Redis when REDIS_URL is
 * set and `useRedis` is asked for.
 */
export async function startTestServer(
  overrides: Record<string, string> = {},
  options: { useRedis?: boolean; database?: { databaseUrl: string | null; pgliteDir: string }; log?: AppLogger; drainQuietMs?: number } = {},
): Promise<TestServer> {
  const owned = options.database ? null : await createTestDatabase();
  const database = options.database ?? owned!;
  const env = testEnv(overrides);
  if (database.databaseUrl) env.DATABASE_URL = database.databaseUrl;
  if (options.useRedis && process.env.REDIS_URL) {
    env.REDIS_URL = process.env.REDIS_URL;
    // Keys of this run only, unless the test shares a prefix between instances on purpose.
    env.REDIS_KEY_PREFIX ??= `rekey-test:${randomUUID()}:`;
  }
  const config = loadConfig(env);
  const inMemory = database.databaseUrl === null && database.pgliteDir === 'memory://';
  const rekey = await createRekey(config, {
    pgliteDir: database.pgliteDir,
    ...(inMemory ? { pgliteSeed: await pgliteSeed() } : {}),
    ...(options.log ? { log: options.log } : {}),
    // The test's own client sends nothing after its last answer: closing need not wait the drain's full quiet.
    drainQuietMs: options.drainQuietMs ?? TEST_DRAIN_QUIET_MS,
  });
  const url = await rekey.listen();
  return {
    url,
    graphqlUrl: `${url}/graphql`,
    rekey,
    config,
    async close() {
      await rekey.close();
      await owned?.drop();
    },
  };
}
