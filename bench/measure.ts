// The phases of one benchmark run, in order. Phases whose figures are compared
// with each other (the bcrypt bound, Rekey, naive; the rejection paths) run in
// alternating rounds, so that a burst of load from elsewhere on a shared
// machine falls on all of them rather than on one.
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import bcrypt from 'bcrypt';
import jwt from 'jsonwebtoken';
import { addressSequence, driveChangePasswords, type ChangePasswordLoad, type LoadAccount } from './change-password-load.ts';
import { combineShares, CpuShareMeter, threadCpuSeconds, type CpuShare, type Metered } from './cpu-share.ts';
import { createBenchDatabase, type BenchDatabase } from './database.ts';
import { bearer, documents, GraphQLClient, type GraphQLRequest } from './graphql-client.ts';
import { probeLatency } from './latency-probe.ts';
import { describeMachine } from './machine.ts';
import type { BenchOptions } from './options.ts';
import type { Flow, SeededAccount } from './protocol.ts';
import {
  combinePaths,
  drivePath,
  expectedBodyOf,
  warmPaths,
  type PathResult,
  type PathSettings,
  type PathSpec,
} from './rejection-paths.ts';
import type { CostRun, Measurements, Round } from './report.ts';
import { driveRefresh } from './refresh-path.ts';
import { BenchServer } from './server-process.ts';
import { driveSignIns, type SignInKind } from './sign-in-parity.ts';

/**
 * What the servers inherit from the caller's environment: what any process
 * needs, nothing of Rekey's configuration (a .env or DATABASE_URL of the
 * caller must not change what is measured).
 */
const INHERITED_VARIABLES = ['PATH', 'HOME', 'TMPDIR', 'TMP', 'TEMP', 'LANG', 'LC_ALL', 'TZ', 'SYSTEMROOT'];
/** Half the default changePassword limit per account and minute: the load never reaches it. */
const CHANGES_PER_ACCOUNT = 5;
const SEED_PASSWORD = 'Seeded-Passw0rd!-for-bench';
const PROBE_RATE_PER_SECOND = 40;
const PATH_CONNECTIONS = 10;
const LIMITER_IDENTITIES = 100_000;
const SESSIONS = 100_000;
/** Twice the embedded session cache's capacity, so the cache is full and evicting. */
const SESSION_LOOKUPS = 20_000;
/** Accounts signIn with a wrong password cycles through: none reaches SIGN_IN_RATE_LIMIT per email or the lockout. */
const SIGN_IN_ACCOUNTS = 200;
/** Accounts whose sessions the refreshSession path rotates (one token in flight per connection). */
const REFRESH_ACCOUNTS = PATH_CONNECTIONS;
const LIMITED_ADDRESS = '192.0.2.1';

export type Progress = (message: string) => void;

/** How long each phase runs, from --duration D (12 s by default, 1 s with --quick). */
function phasesFor(options: BenchOptions) {
  const d = options.durationSeconds;
  const rounds = options.quick ? 1 : 5;
  return {
    rounds,
    /** Per round; D/2 in all. */
    boundSeconds: Math.max(0.5, d / 2 / rounds),
    boundWarmupSeconds: options.quick ? 0.2 : 0.5,
    /** Per round and flow; D × 1.25 in all. */
    changeSeconds: (d * 1.25) / rounds,
    /** At least; longer when requests live longer (see warmupFor). */
    changeWarmupSeconds: options.quick ? 0.3 : 1,
    /** Per round and kind of failed signIn. */
    signInSeconds: Math.max(0.5, (d * 0.75) / rounds),
    /**
     * 2 D: at 40/s that is 960 answers by default, so the p99 is the tenth-slowest. With D/2 (240
     * answers, the p99 the third-slowest) four runs of one configuration read 13 to 50 ms.
     */
    probeSeconds: Math.max(1, d * 2),
    /** Per round and path, D/10 in all, after one warm-up of all paths together. */
    path: {
      seconds: Math.max(0.5, d / 10 / rounds),
      warmupSeconds: options.quick ? 0.5 : 3,
      connections: PATH_CONNECTIONS,
    } satisfies PathSettings,
    // Quick mode only proves the phase works: fewer rows and identities keep it well under a minute.
    sessions: options.quick ? 10_000 : SESSIONS,
    sessionLookups: options.quick ? 1_000 : SESSION_LOOKUPS,
    limiterIdentities: options.quick ? 10_000 : LIMITER_IDENTITIES,
  };
}

type Timing = ReturnType<typeof phasesFor>;

export function serverEnv(
  database: BenchDatabase,
  options: BenchOptions,
  cost: number,
  secret: string,
  threadpoolSize: number,
): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(
    INHERITED_VARIABLES.flatMap((name) => (process.env[name] === undefined ? [] : [[name, process.env[name]]])),
  );
  return {
    ...inherited,
    ...database.env,
    NODE_ENV: 'production',
    SERVER_SECRET: secret,
    BCRYPT_COST: String(cost),
    BCRYPT_THREAD_NICE: String(options.threadNice),
    PASSWORD_HISTORY: String(options.history),
    HOST: '127.0.0.1',
    PORT: '0',
    // The load spreads client addresses through X-Forwarded-For, as a proxy in front would.
    TRUST_PROXY: '1',
    UV_THREADPOOL_SIZE: String(threadpoolSize),
  };
}

/** A token with the right shape and claims, signed with a key the server does not have. */
export function forgedToken(userId: number): string {
  return jwt.sign({ sid: randomUUID(), gen: 0 }, randomBytes(48), {
    algorithm: 'HS256',
    subject: String(userId),
    issuer: 'rekey',
    audience: 'rekey',
    expiresIn: 3600,
  });
}

/** Enough accounts that none is changed more than CHANGES_PER_ACCOUNT times, estimated from one hash at this cost. */
async function accountsNeeded(cost: number, cores: number, changeSeconds: number): Promise<number> {
  const start = performance.now();
  await bcrypt.hash('estimate', cost);
  const hashSeconds = (performance.now() - start) / 1000;
  const changesPerSecond = cores / (2 * hashSeconds);
  return Math.min(20_000, Math.max(64, Math.ceil((changesPerSecond * changeSeconds * 1.5) / CHANGES_PER_ACCOUNT)));
}

const asLoadAccount = ({ email, password, token }: SeededAccount): LoadAccount => ({ email, password, token });

/** Uses up the changePassword limit of one account and address with weak passwords (no bcrypt spent), until it refuses. */
async function exhaustChangePasswordLimit(serverUrl: string, token: string): Promise<void> {
  const client = new GraphQLClient(serverUrl, 1);
  try {
    for (let attempt = 0; attempt < 1_000; attempt += 1) {
      const { typename } = await client.typenameOf(
        {
          query: documents.changePassword,
          variables: { input: { currentPassword: SEED_PASSWORD, newPassword: 'weak' } },
          headers: { ...bearer(token), 'x-forwarded-for': LIMITED_ADDRESS },
        },
        'changePassword',
      );
      if (typename === 'RateLimitedError') return;
      if (typename !== 'WeakPasswordError') throw new Error(`Priming the rate limit got ${typename}`);
    }
  } finally {
    client.close();
  }
  throw new Error('The changePassword rate limit never refused');
}

type PathName = Exclude<keyof Measurements['paths'], 'refresh'>;

/** The cheap requests of figure (5), each with the answer it must get. */
function rejectionPathSpecs(
  probe: SeededAccount,
  limited: SeededAccount,
  meOperation: GraphQLRequest,
  meExpected: string,
): Record<PathName, PathSpec> {
  const changeInput = { input: { currentPassword: SEED_PASSWORD, newPassword: 'Unused-Passw0rd!-bench' } };
  return {
    typename: { name: 'bare { __typename }', operation: { query: documents.typename }, field: null, expected: '"__typename":"Query"' },
    forgedToken: {
      name: 'forged token',
      operation: { query: documents.changePassword, variables: changeInput, headers: bearer(forgedToken(probe.id)) },
      field: 'changePassword',
      expected: 'InvalidSessionError',
    },
    rateLimited: {
      name: 'rate limited',
      operation: {
        query: documents.changePassword,
        variables: changeInput,
        headers: { ...bearer(limited.token), 'x-forwarded-for': LIMITED_ADDRESS },
      },
      field: 'changePassword',
      expected: 'RateLimitedError',
    },
    invalidInput: {
      name: 'invalid input',
      operation: {
        query: documents.changePassword,
        variables: { input: { currentPassword: '', newPassword: 'Unused-Passw0rd!-bench' } },
        headers: bearer(probe.token),
      },
      field: 'changePassword',
      expected: 'ValidationError',
    },
    me: { name: 'me', operation: meOperation, field: null, expected: meExpected },
  };
}

/** Both servers up and seeded at one bcrypt cost, and what the phases share. */
class BenchRun {
  readonly #timing: Timing;
  readonly #progress: Progress;
  readonly #cpu: CpuShareMeter;
  readonly rekey: BenchServer;
  readonly naive: BenchServer;
  readonly #probeAccount: SeededAccount;
  readonly #limitedAccount: SeededAccount;
  readonly #signInEmails: string[];
  readonly #refreshUserIds: number[];
  readonly #accounts: Record<Flow, LoadAccount[]>;
  readonly #addresses: Record<Flow, () => string> = { rekey: addressSequence(), naive: addressSequence() };
  /** Enough in flight that a pool thread never waits for the next bcrypt job, few enough to drain quickly. */
  readonly changeConcurrency: number;
  /** The latest bound measured; 0 until the first. */
  #comparesPerSecond = 0;

  constructor(init: {
    timing: Timing;
    progress: Progress;
    cpu: CpuShareMeter;
    rekey: BenchServer;
    naive: BenchServer;
    seeded: Record<Flow, SeededAccount[]>;
    threadpoolSize: number;
  }) {
    this.#timing = init.timing;
    this.#progress = init.progress;
    this.#cpu = init.cpu;
    this.rekey = init.rekey;
    this.naive = init.naive;
    const [probe, limited, ...rest] = init.seeded.rekey;
    if (probe === undefined || limited === undefined || rest.length < SIGN_IN_ACCOUNTS + REFRESH_ACCOUNTS)
      throw new Error('Seeding returned too few accounts');
    this.#probeAccount = probe;
    this.#limitedAccount = limited;
    this.#signInEmails = rest.slice(0, SIGN_IN_ACCOUNTS).map((account) => account.email);
    this.#refreshUserIds = rest.slice(SIGN_IN_ACCOUNTS, SIGN_IN_ACCOUNTS + REFRESH_ACCOUNTS).map((account) => account.id);
    this.#accounts = {
      rekey: rest.slice(SIGN_IN_ACCOUNTS + REFRESH_ACCOUNTS).map(asLoadAccount),
      naive: init.seeded.naive.map(asLoadAccount),
    };
    this.changeConcurrency = 2 * init.threadpoolSize;
  }

  async #metered<T>(work: () => Promise<T>): Promise<Metered<T>> {
    const stop = this.#cpu.start();
    const value = await work();
    return { value, share: stop() };
  }

  /** 1.5 request lifetimes (each request in flight waits for the others' bcrypt work), so counting starts in a steady state. */
  #warmupFor(flow: Flow): number {
    const bcryptPerChange = flow === 'naive' ? 3 : 2;
    const lifetime = this.#comparesPerSecond > 0 ? (this.changeConcurrency * bcryptPerChange) / this.#comparesPerSecond : 0;
    return Math.max(this.#timing.changeWarmupSeconds, 1.5 * lifetime);
  }

  #changeLoad(server: BenchServer, seconds: number): Promise<ChangePasswordLoad> {
    return driveChangePasswords(server.url, this.#accounts[server.flow], {
      concurrency: this.changeConcurrency,
      warmupSeconds: this.#warmupFor(server.flow),
      seconds,
      nextAddress: this.#addresses[server.flow],
    });
  }

  /** The Rekey load, and how much CPU the server's main thread (the event loop, and PGlite on it) spent per change meanwhile. */
  async #rekeyLoad(seconds: number): Promise<Round['rekey']> {
    const pid = this.rekey.pid;
    const before = pid === undefined ? null : threadCpuSeconds(pid);
    const load = await this.#metered(() => this.#changeLoad(this.rekey, seconds));
    const after = pid === undefined ? null : threadCpuSeconds(pid);
    // Includes the warm-up and drain: per request sent, not per change counted in the window.
    const sent = load.value.requestsSent;
    const mainThreadMsPerChange = before === null || after === null || sent === 0 ? null : ((after - before) * 1000) / sent;
    return { ...load, mainThreadMsPerChange };
  }

  #signIns(kind: SignInKind): Promise<Metered<Awaited<ReturnType<typeof driveSignIns>>>> {
    return this.#metered(() =>
      driveSignIns(this.rekey.url, kind, {
        emails: this.#signInEmails,
        concurrency: this.changeConcurrency,
        warmupSeconds: this.#timing.changeWarmupSeconds / 2,
        seconds: this.#timing.signInSeconds,
      }),
    );
  }

  /** Figures (1), (2), (3) and the signIn pair, in alternating rounds. */
  async rounds(cost: number): Promise<Round[]> {
    const timing = this.#timing;
    const rounds: Round[] = [];
    for (let round = 1; round <= timing.rounds; round += 1) {
      this.#progress(
        `cost ${cost}, round ${round}/${timing.rounds}: bcrypt bound ${timing.boundSeconds.toFixed(1)} s, Rekey and naive changePassword ` +
          `${timing.changeSeconds.toFixed(1)} s each (${this.changeConcurrency} in flight), failed signIn ${timing.signInSeconds.toFixed(1)} s × 2`,
      );
      const bound = await this.#metered(() =>
        this.rekey.request('bcryptBound', { seconds: timing.boundSeconds, warmupSeconds: timing.boundWarmupSeconds }),
      );
      this.#comparesPerSecond = bound.value.comparesPerSecond;
      const rekey = await this.#rekeyLoad(timing.changeSeconds);
      const naive = await this.#metered(() => this.#changeLoad(this.naive, timing.changeSeconds));
      // Alternate which kind goes first, so a drift in the machine's load favours neither.
      const order: [SignInKind, SignInKind] = round % 2 === 1 ? ['wrongPassword', 'unknownEmail'] : ['unknownEmail', 'wrongPassword'];
      const first = await this.#signIns(order[0]);
      const second = await this.#signIns(order[1]);
      const signIn =
        order[0] === 'wrongPassword' ? { wrongPassword: first, unknownEmail: second } : { wrongPassword: second, unknownEmail: first };
      rounds.push({ bound, rekey, naive, signIn });
    }
    return rounds;
  }

  #meOperation(): { operation: GraphQLRequest; expected: string } {
    const probe = this.#probeAccount;
    return {
      operation: { query: documents.me, headers: bearer(probe.token) },
      expected: JSON.stringify({ data: { me: { id: String(probe.id) } } }),
    };
  }

  /** Figure (4): `me` at a steady rate, and the server's event-loop delay, while changePassword saturates the CPU. */
  async underLoad(): Promise<{ value: Measurements['underLoad']; share: CpuShare | null }> {
    const seconds = this.#timing.probeSeconds;
    this.#progress(`(4) me at ${PROBE_RATE_PER_SECOND}/s while changePassword saturates the CPU, ${seconds} s`);
    const me = this.#meOperation();
    const { value, share } = await this.#metered(() =>
      Promise.all([
        this.#changeLoad(this.rekey, seconds),
        // The probe and the event-loop monitor start once the changePassword load has filled the pool.
        sleep(this.#warmupFor('rekey') * 1000).then(async () => {
          await this.rekey.request('loopDelayStart', {});
          const probe = await probeLatency(this.rekey.url, me.operation, {
            ratePerSecond: PROBE_RATE_PER_SECOND,
            seconds,
            expectedText: me.expected,
          });
          return { probe, loopDelay: await this.rekey.request('loopDelayStop', {}) };
        }),
      ]),
    );
    const [changePassword, { probe, loopDelay }] = value;
    return { value: { changePassword, me: probe, loopDelay }, share };
  }

  /** Figure (5): each cheap path at full speed, and refreshSession, in alternating rounds after a common warm-up. */
  async rejectionPaths(): Promise<{ value: Measurements['paths']; share: CpuShare | null }> {
    const timing = this.#timing;
    this.#progress(
      `(5) cheap paths and refreshSession: ${timing.path.warmupSeconds} s warm-up, then ${timing.rounds} × ${timing.path.seconds.toFixed(2)} s each, ${timing.path.connections} connections`,
    );
    await exhaustChangePasswordLimit(this.rekey.url, this.#limitedAccount.token);
    const me = this.#meOperation();
    const specs = rejectionPathSpecs(this.#probeAccount, this.#limitedAccount, me.operation, me.expected);
    const names = Object.keys(specs) as PathName[];
    const expectedBodies = new Map<PathName, string>();
    for (const name of names) expectedBodies.set(name, await expectedBodyOf(this.rekey.url, specs[name]));
    await warmPaths(this.rekey.url, Object.values(specs), timing.path);
    const refreshWarmup = await driveRefresh(this.rekey.url, await this.rekey.request('refreshTokens', { userIds: this.#refreshUserIds }), {
      ...timing.path,
      seconds: timing.path.warmupSeconds / 2,
    });
    if (refreshWarmup.result.requests === 0) throw new Error('refreshSession answered nothing in its warm-up');
    const runs = new Map<PathName | 'refresh', PathResult[]>([...names, 'refresh' as const].map((name) => [name, []]));
    const shares: (CpuShare | null)[] = [];
    for (let round = 1; round <= timing.rounds; round += 1) {
      for (const name of names) {
        const run = await this.#metered(() => drivePath(this.rekey.url, specs[name], expectedBodies.get(name) ?? '', timing.path));
        runs.get(name)?.push(run.value);
        shares.push(run.share);
      }
      // Fresh tokens each round: autocannon drops the answers in flight when it stops, and with them their tokens.
      const tokens = await this.rekey.request('refreshTokens', { userIds: this.#refreshUserIds });
      const refresh = await this.#metered(() => driveRefresh(this.rekey.url, tokens, timing.path));
      runs.get('refresh')?.push(refresh.value.result);
      shares.push(refresh.share);
    }
    const combined = (name: PathName | 'refresh') => combinePaths(runs.get(name) ?? []);
    return {
      value: {
        typename: combined('typename'),
        forgedToken: combined('forgedToken'),
        rateLimited: combined('rateLimited'),
        invalidInput: combined('invalidInput'),
        me: combined('me'),
        refresh: combined('refresh'),
      },
      share: combineShares(shares),
    };
  }

  /** Figure (6): the server's memory now, after SESSIONS more sessions (some looked up), then after LIMITER_IDENTITIES rate-limit identities (fewer of both with --quick). */
  async memory(): Promise<Measurements['memory']> {
    this.#progress(
      `(6) memory: RSS now, after ${this.#timing.sessions.toLocaleString('en-US')} sessions (${this.#timing.sessionLookups.toLocaleString('en-US')} looked up), ` +
        `after ${this.#timing.limiterIdentities.toLocaleString('en-US')} rate-limit identities`,
    );
    const afterRun = await this.rekey.request('memory', {});
    const sessions = await this.rekey.request('fillSessions', { sessions: this.#timing.sessions, lookups: this.#timing.sessionLookups });
    const fill = await this.rekey.request('fillLimiter', { identities: this.#timing.limiterIdentities });
    return { afterRun, sessions, fill };
  }
}

/** Reads /proc/loadavg: the machine's load when a run starts and ends (other work on a shared machine depresses every figure). */
function loadAverage(): number[] | null {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
  } catch {
    return null;
  }
}

export async function measure(options: BenchOptions, progress: Progress): Promise<Measurements> {
  const threadpoolSize = Number(process.env.UV_THREADPOOL_SIZE) || availableParallelism();
  const machine = describeMachine(threadpoolSize);
  const timing = phasesFor(options);
  const secret = randomBytes(48).toString('base64url');
  const loadBefore = loadAverage();
  if (options.cpuProfileDir) await mkdir(options.cpuProfileDir, { recursive: true });
  progress(
    `${machine.cores} cores, ${machine.cpuModel}, Node ${machine.node}; bcrypt costs ${options.costs.join(', ')}; load average ${loadBefore?.join(' ') ?? 'n/a'}`,
  );

  const costRuns: CostRun[] = [];
  let primary: Omit<Measurements, 'costs' | 'mode' | 'machine' | 'load' | 'settings' | 'cpuProfileDir'> | null = null;
  for (const [index, cost] of options.costs.entries()) {
    const isPrimary = index === 0;
    const databases = await Promise.all(
      ['rekey', 'naive'].map((label) => createBenchDatabase(`${label}_${cost}`, process.env.DATABASE_URL)),
    );
    const [rekeyDb, naiveDb] = databases as [BenchDatabase, BenchDatabase];
    const servers: BenchServer[] = [];
    const ourPids = () => [process.pid, ...servers.flatMap((server) => (server.pid === undefined ? [] : [server.pid]))];
    const cpu = new CpuShareMeter(ourPids, rekeyDb.kind === 'PostgreSQL');
    try {
      progress(`starting the Rekey and naive servers (${rekeyDb.kind}, bcrypt cost ${cost}, BCRYPT_THREAD_NICE ${options.threadNice})`);
      const start = async (flow: Flow, database: BenchDatabase) => {
        const cpuProfileDir = isPrimary ? options.cpuProfileDir : null;
        const server = await BenchServer.start({ flow, env: serverEnv(database, options, cost, secret, threadpoolSize), cpuProfileDir });
        servers.push(server);
        return server;
      };
      const [rekey, naive] = await Promise.all([start('rekey', rekeyDb), start('naive', naiveDb)]);

      const changeSecondsOnRekey =
        timing.rounds * (timing.changeSeconds + timing.changeWarmupSeconds + 3) + (isPrimary ? timing.probeSeconds + 3 : 0);
      const accountCount = await accountsNeeded(cost, machine.cores, changeSecondsOnRekey);
      progress(`seeding ${accountCount} accounts on each server`);
      const [rekeySeeded, naiveSeeded] = await Promise.all([
        // More: one for the `me` probe and paths, one whose limit is used up, the signIn and refresh accounts.
        rekey.request('seed', {
          count: accountCount + 2 + SIGN_IN_ACCOUNTS + REFRESH_ACCOUNTS,
          password: SEED_PASSWORD,
          emailPrefix: 'rekey',
        }),
        naive.request('seed', { count: accountCount, password: SEED_PASSWORD, emailPrefix: 'naive' }),
      ]);
      const run = new BenchRun({ timing, progress, cpu, rekey, naive, seeded: { rekey: rekeySeeded, naive: naiveSeeded }, threadpoolSize });

      const rounds = await run.rounds(cost);
      costRuns.push({ cost, rounds, accountsPerServer: accountCount });
      await naive.stop();
      if (isPrimary) {
        const underLoad = await run.underLoad();
        const paths = await run.rejectionPaths();
        const memory = await run.memory();
        primary = {
          database: rekeyDb.kind,
          underLoad: underLoad.value,
          paths: paths.value,
          memory,
          otherProcessesCpu: { underLoad: underLoad.share, paths: paths.share },
          changeConcurrency: run.changeConcurrency,
        };
      }
    } finally {
      await Promise.all(servers.map((server) => server.stop()));
      await Promise.all(databases.map((database) => database.drop()));
    }
  }
  if (primary === null) throw new Error('No bcrypt cost measured');
  return {
    ...primary,
    mode: options.quick ? 'quick' : 'default',
    machine,
    load: { before: loadBefore, after: loadAverage() },
    settings: {
      bcryptCosts: options.costs,
      threadNice: options.threadNice,
      passwordHistory: options.history,
      durationSeconds: options.durationSeconds,
      rounds: timing.rounds,
      changeConcurrency: primary.changeConcurrency,
      probeRatePerSecond: PROBE_RATE_PER_SECOND,
      pathConnections: timing.path.connections,
    },
    costs: costRuns,
    cpuProfileDir: options.cpuProfileDir,
  };
}
