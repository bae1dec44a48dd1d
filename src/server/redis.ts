import type { Redis, RedisOptions } from 'ioredis';

/** Connecting to Redis, and any one command, gives up after `timeoutMs` (REDIS_TIMEOUT; then password checks fail closed). */
const redisOptions = (timeoutMs: number): RedisOptions => ({
  lazyConnect: true,
  // Fail fast while Redis is away (password checks then fail closed) and reconnect in the background.
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  connectTimeout: timeoutMs,
  // A partition that drops packets leaves the socket open, and TCP takes many minutes to give up.
  // Every command settles within the bound ...
  commandTimeout: timeoutMs,
  // ... and a connection that has a command waiting but receives nothing for as long is dropped
  // and replaced, so commands do not pile up on it.
  socketTimeout: timeoutMs,
  // A command already answered "timed out" is not sent again after the reconnection: the caller
  // was refused, so the attempt must not be counted later.
  autoResendUnfulfilledCommands: false,
  retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
});

/** Connects to REDIS_URL, or fails start-up with a message that names the host but not the credentials. */
export async function connectRedis(url: string, timeoutMs: number): Promise<Redis> {
  // Loaded only with REDIS_URL: the embedded mode never needs the client.
  const { Redis } = await import('ioredis');
  const redis = new Redis(url, redisOptions(timeoutMs));
  redis.on('error', () => undefined); // reported through failed commands; reconnects by itself
  try {
    await redis.connect();
  } catch {
    redis.disconnect();
    throw new Error(`Cannot reach Redis at REDIS_URL (${new URL(url).host})`);
  }
  return redis;
}
