import { monitorEventLoopDelay, performance, type ELDHistogram } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import bcrypt from 'bcrypt';
import { loadConfig, type Config } from '../src/config/config.ts';
import { createLogger } from '../src/observability/logging.ts';
import { createRekey, type Rekey, type RekeyOptions } from '../src/server/runtime.ts';
import { releaseStartupGarbage } from '../src/server/startup-garbage.ts';
import { Authentication } from '../src/sessions/authentication.ts';
import { newRefreshToken } from '../src/sessions/refresh-token-secret.ts';
import { SessionCache } from '../src/sessions/session-cache.ts';
import { SessionRepository } from '../src/sessions/session.repository.ts';
import type {
  BcryptBound,
  CommandMessage,
  Commands,
  Flow,
  LimiterFill,
  LoopDelay,
  MemorySample,
  SeededAccount,
  ServerMessage,
  SessionFill,
} from './protocol.ts';

const LOOP_RESOLUTION_MS = 10;
const NS_PER_MS = 1e6;

function send(message: ServerMessage): void {
  process.send?.(message);
}

function memorySample(): MemorySample {
  // Run with --expose-gc: measure what is live, not what is waiting to be collected.
  globalThis.gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  return { rssBytes: rss, heapUsedBytes: heapUsed };
}

/** A distinct IPv4 address for each index (up to 4 million), in the shared address space 100.64.0.0/10. */
function addressFor(index: number): string {
  return `100.${64 + ((index >>> 16) & 63)}.${(index >>> 8) & 255}.${index & 255}`;
}

/** What the server does for each command of protocol.ts. */
class BenchCommands {
  readonly #rekey: Rekey;
  readonly #config: Config;
  #loopDelay: ELDHistogram | null = null;

  constructor(rekey: Rekey, config: Config) {
    this.#rekey = rekey;
    this.#config = config;
  }

  /**
   * Accounts inserted directly, all with one password hashed once at the
   * configured cost, each with a real session (rows inserted in SQL) and an
   * access token naming it.
   */
  async seed({ count, password, emailPrefix }: Commands['seed']['args']): Promise<SeededAccount[]> {
    const hash = await this.#rekey.deps.hasher.hash(password);
    const rows = await this.#rekey.orm.em.fork().execute<{ id: number; email: string; session_id: string }[]>(
      `with "account" as (
         insert into "users" ("email", "password")
         select ?::text || '-' || g::text || '@bench.test', ? from generate_series(1, ?::int) as g
         returning "id", "email"
       ), "session" as (
         insert into "sessions" ("id", "user_id", "expires_at", "ip_address", "user_agent", "generation")
         select gen_random_uuid()::text, "id", now() + make_interval(secs => ?), '127.0.0.1', 'bench', 0 from "account"
         returning "id", "user_id"
       )
       select a."id", a."email", s."id" as "session_id" from "account" a join "session" s on s."user_id" = a."id"`,
      [emailPrefix, hash, count, this.#config.sessions.ttlMs / 1000],
    );
    await this.#fillHistory(rows.map((row) => row.id));
    return rows
      .sort((a, b) => a.id - b.id)
      .map((row) => ({
        id: row.id,
        email: row.email,
        password,
        token: this.#rekey.deps.tokens.issue({ userId: row.id, sessionId: row.session_id, generation: 0 }).token,
      }));
  }

  /**
   * With PASSWORD_HISTORY=N, gives every seeded account N - 1 remembered
   * passwords (distinct ones, hashed once at the configured cost), so each
   * change in the load pays the steady-state N - 1 extra compares from the start.
   */
  async #fillHistory(userIds: number[]): Promise<void> {
    const remembered = this.#config.passwordHistory - 1;
    if (remembered <= 0) return;
    const hashes = await Promise.all(Array.from({ length: remembered }, (_, k) => this.#rekey.deps.hasher.hash(`Earlier-${k}-Passw0rd!`)));
    await this.#rekey.orm.em.fork().execute(
      `insert into "password_history" ("user_id", "password_hash")
       select u, h from unnest(string_to_array(?, ',')::int[]) as u cross join unnest(string_to_array(?, ',')) as h`,
      [userIds.join(','), hashes.join(',')],
    );
  }

  /**
   * bcrypt compares per second with every pool thread busy, at the server's
   * cost, in the server's own process. One compare in flight per pool thread:
   * then each runs from start to end without queueing, so a compare that
   * straddles an edge of the window can count for its part inside it.
   */
  async bcryptBound({ seconds, warmupSeconds }: Commands['bcryptBound']['args']): Promise<BcryptBound> {
    const threadpoolSize = Number(process.env.UV_THREADPOOL_SIZE) || 4;
    const concurrency = threadpoolSize;
    const password = 'Bound-Measure-Passw0rd!';
    const hash = await bcrypt.hash(password, this.#config.bcryptCost);
    const compares: { start: number; end: number }[] = [];
    let running = true;
    const compareLoop = async () => {
      while (running) {
        const start = performance.now();
        await bcrypt.compare(password, hash);
        compares.push({ start, end: performance.now() });
      }
    };
    const loops = Array.from({ length: concurrency }, compareLoop);
    await sleep(warmupSeconds * 1000);
    const windowStart = performance.now();
    await sleep(seconds * 1000);
    const windowEnd = performance.now();
    running = false;
    await Promise.all(loops);
    let counted = 0;
    for (const { start, end } of compares) {
      const inside = Math.min(end, windowEnd) - Math.max(start, windowStart);
      if (inside > 0) counted += inside / Math.max(end - start, Number.EPSILON);
    }
    const elapsed = (windowEnd - windowStart) / 1000;
    return { comparesPerSecond: counted / elapsed, compares: counted, seconds: elapsed, concurrency, threadpoolSize };
  }

  loopDelayStart(): null {
    this.#loopDelay?.disable();
    this.#loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    this.#loopDelay.enable();
    return null;
  }

  loopDelayStop(): LoopDelay {
    const histogram = this.#loopDelay;
    if (histogram === null) throw new Error('loopDelayStart was not called');
    histogram.disable();
    this.#loopDelay = null;
    const ms = (ns: number) => ns / NS_PER_MS;
    const p99Ms = ms(histogram.percentile(99));
    return {
      resolutionMs: LOOP_RESOLUTION_MS,
      meanMs: ms(histogram.mean),
      p50Ms: ms(histogram.percentile(50)),
      p99Ms,
      maxMs: ms(histogram.max),
      excessP99Ms: Math.max(0, p99Ms - LOOP_RESOLUTION_MS),
    };
  }

  memory(): MemorySample {
    return memorySample();
  }

  /**
   * Records `identities` distinct sign-up addresses in the server's own rate
   * limiter, the one its resolvers use. Over HTTP this would take a minute of
   * requests and measure HTTP as much as the store; the store is what grows.
   */
  async fillLimiter({ identities }: Commands['fillLimiter']['args']): Promise<LimiterFill> {
    const limiter = this.#rekey.deps.limiter;
    const before = memorySample();
    const start = performance.now();
    const batch = 1_000;
    for (let first = 0; first < identities; first += batch) {
      const size = Math.min(batch, identities - first);
      const verdicts = await Promise.all(
        Array.from({ length: size }, (_, offset) => limiter.consume('signUp', [`address:${addressFor(first + offset)}`])),
      );
      if (verdicts.some((verdict) => verdict.limited)) throw new Error('A fresh identity was refused: identities are not distinct');
    }
    const seconds = (performance.now() - start) / 1000;
    return { identities, before, after: memorySample(), seconds };
  }

  /**
   * Inserts `sessions` sessions (MAX_SESSIONS_PER_USER per new account, in
   * SQL), then checks `lookups` of them as requests do (token verified,
   * session and account read, or answered by the embedded session cache).
   */
  async fillSessions({ sessions, lookups }: Commands['fillSessions']['args']): Promise<SessionFill> {
    const before = memorySample();
    const start = performance.now();
    const perAccount = this.#config.sessions.maxPerUser;
    const accounts = Math.ceil(sessions / perAccount);
    const db = this.#rekey.orm.em.fork();
    const rows = await db.execute<{ id: string; user_id: number }[]>(
      `with "account" as (
         insert into "users" ("email", "password")
         select 'sessions-' || g::text || '@bench.test', 'not-a-hash' from generate_series(1, ?::int) as g
         returning "id"
       )
       insert into "sessions" ("id", "user_id", "expires_at", "ip_address", "user_agent", "generation")
       select gen_random_uuid()::text, a."id", now() + make_interval(secs => ?), '127.0.0.1', 'bench', 0
       from "account" a cross join generate_series(1, ?::int) as k
       limit ?
       returning "id", "user_id"`,
      [accounts, this.#config.sessions.ttlMs / 1000, perAccount, sessions],
    );
    const inserted = memorySample();
    const tokens = this.#rekey.deps.tokens;
    const step = Math.max(1, Math.floor(rows.length / Math.max(1, lookups)));
    let lookedUp = 0;
    for (let index = 0; index < rows.length && lookedUp < lookups; index += step) {
      const row = rows[index];
      if (row === undefined) break;
      const token = tokens.issue({ userId: row.user_id, sessionId: row.id, generation: 0 }).token;
      const request = this.#rekey.orm.em.fork();
      const state = await new Authentication(token, tokens, new SessionRepository(request, this.#config.sessions.idleTimeoutMs)).state();
      if (state.state !== 'active') throw new Error(`A seeded session was not active: ${state.state}`);
      lookedUp += 1;
    }
    const cache = SessionCache.of(db);
    return {
      sessions: rows.length,
      accounts,
      lookedUp,
      cacheEntries: cache === null ? null : cache.size,
      before,
      inserted,
      after: memorySample(),
      seconds: (performance.now() - start) / 1000,
    };
  }

  /** A fresh refresh token for the current session of each account (accounts seeded by `seed`, one session each). */
  async refreshTokens({ userIds }: Commands['refreshTokens']['args']): Promise<string[]> {
    const db = this.#rekey.orm.em.fork();
    const tokens: string[] = [];
    for (const userId of userIds) {
      const [session] = await db.execute<{ id: string }[]>(
        `select "id" from "sessions" where "user_id" = ? and "revoked_at" is null order by "created_at" desc limit 1`,
        [userId],
      );
      if (session === undefined) throw new Error(`Account ${userId} has no session`);
      const refresh = newRefreshToken();
      await db.execute(`insert into "refresh_tokens" ("token_hash", "session_id", "created_at") values (?, ?, now())`, [
        refresh.hash,
        session.id,
      ]);
      tokens.push(refresh.token);
    }
    return tokens;
  }
}

export async function serveBench({ flow, createService }: { flow: Flow; createService?: RekeyOptions['createService'] }): Promise<void> {
  if (process.send === undefined || process.disconnect === undefined) {
    throw new Error('bench/server.ts runs as a child of bench/run.ts, over an IPC channel');
  }
  const disconnect = process.disconnect.bind(process);
  const config = loadConfig(process.env);
  // Warnings and errors only, forwarded to the benchmark's stderr by the parent.
  const rekey = await createRekey(config, { log: createLogger('warn'), ...(createService ? { createService } : {}) });
  await releaseStartupGarbage();
  const url = await rekey.listen();
  const commands = new BenchCommands(rekey, config);

  // Asked to stop, or the parent is gone: close the server and the database, then exit by running out of work.
  process.once('disconnect', () => {
    setTimeout(() => process.exit(1), 15_000).unref();
    void rekey.close();
  });

  const run = async (message: CommandMessage): Promise<unknown> => {
    switch (message.command) {
      case 'seed':
        return commands.seed(message.args);
      case 'bcryptBound':
        return commands.bcryptBound(message.args);
      case 'loopDelayStart':
        return commands.loopDelayStart();
      case 'loopDelayStop':
        return commands.loopDelayStop();
      case 'memory':
        return commands.memory();
      case 'fillLimiter':
        return commands.fillLimiter(message.args);
      case 'fillSessions':
        return commands.fillSessions(message.args);
      case 'refreshTokens':
        return commands.refreshTokens(message.args);
      case 'stop':
        return null;
    }
  };

  process.on('message', (message: CommandMessage) => {
    run(message).then(
      (result) => {
        send({ type: 'reply', id: message.id, ok: true, result });
        if (message.command === 'stop') disconnect();
      },
      (error: unknown) => send({ type: 'reply', id: message.id, ok: false, error: error instanceof Error ? error.message : String(error) }),
    );
  });

  send({ type: 'ready', url, flow });
}
