// `npm run bench -- --soak [minutes]`: an hour of reference traffic compressed
// six-fold into ten minutes (by default), against one server, sampling its
// memory. Not part of the default run or --quick: it takes as long as asked.
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { addressSequence } from './change-password-load.ts';
import { createBenchDatabase } from './database.ts';
import { bearer, documents, GraphQLClient, type GraphQLRequest } from './graphql-client.ts';
import type { BenchOptions } from './options.ts';
import type { MemorySample, SeededAccount } from './protocol.ts';
import { BenchServer } from './server-process.ts';
import { percentile, round } from './stats.ts';
import type { Progress } from './measure.ts';

/** The reference hour, per second: mostly `me`, some refreshes, a few sign-ins (one in five wrong) and password changes. */
const REFERENCE_RATES = { me: 20, refresh: 2, signIn: 0.5, changePassword: 0.1 } as const;
const SPEED_UP = 6;
const SAMPLE_EVERY_MS = 30_000;
/** The first samples are the warm-up (JIT, caches, the database's buffers); "flat" is judged after it. */
const WARMUP_FRACTION = 0.2;
const PASSWORD = 'Soak-Passw0rd!-for-bench';
const REFRESH =
  'mutation SoakRefresh($input: RefreshSessionInput) { refreshSession(input: $input) { __typename ... on AuthPayload { refreshToken } } }';
const SIGN_IN = 'mutation SoakSignIn($input: SignInInput!) { signIn(input: $input) { __typename } }';

type Kind = keyof typeof REFERENCE_RATES;

export interface SoakReport {
  minutes: number;
  database: string;
  bcryptCost: number;
  ratesPerSecond: Record<Kind, number>;
  sent: Record<Kind, number>;
  /** Answers of a kind other than expected (each is a problem). */
  unexpected: Record<Kind, number>;
  /** What those unexpected answers were, by kind and `__typename` (or HTTP status). */
  unexpectedAnswers: Record<string, number>;
  meLatencyMs: { p50: number; p99: number };
  samples: { minute: number; rssMB: number; heapUsedMB: number }[];
  rssAfterWarmupMB: number;
  rssEndMB: number;
  rssMaxMB: number;
  /** Least-squares slope of RSS after the warm-up. */
  rssSlopeMBPerMinute: number;
  target: { figure: string; value: number; target: string; met: boolean };
  loadAverage: { before: string; after: string };
}

function slope(points: { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((sum, p) => sum + p.x, 0) / n;
  const my = points.reduce((sum, p) => sum + p.y, 0) / n;
  const sxx = points.reduce((sum, p) => sum + (p.x - mx) ** 2, 0);
  return sxx === 0 ? 0 : points.reduce((sum, p) => sum + (p.x - mx) * (p.y - my), 0) / sxx;
}

const loadAverage = async () => (await import('node:fs')).readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

export async function soak(options: BenchOptions, progress: Progress): Promise<SoakReport> {
  const cost = options.costs[0] ?? 12;
  const minutes = options.soakMinutes;
  const loadBefore = await loadAverage().catch(() => 'n/a');
  const database = await createBenchDatabase('soak', process.env.DATABASE_URL);
  const threadpoolSize = Number(process.env.UV_THREADPOOL_SIZE) || availableParallelism();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...database.env,
    NODE_ENV: 'production',
    SERVER_SECRET: randomBytes(48).toString('base64url'),
    BCRYPT_COST: String(cost),
    BCRYPT_THREAD_NICE: String(options.threadNice),
    HOST: '127.0.0.1',
    PORT: '0',
    TRUST_PROXY: '1',
    UV_THREADPOOL_SIZE: String(threadpoolSize),
  };
  progress(`soak: starting the server (${database.kind}, bcrypt cost ${cost}); ${minutes} min at ${SPEED_UP}× the reference hour's rates`);
  const server = await BenchServer.start({ flow: 'rekey', env, cpuProfileDir: options.cpuProfileDir });
  const client = new GraphQLClient(server.url, 256);
  try {
    const seeded = await server.request('seed', { count: 300, password: PASSWORD, emailPrefix: 'soak' });
    const meAccounts = seeded.slice(0, 100);
    const signInAccounts = seeded.slice(100, 200);
    const changeAccounts: (SeededAccount & { busy: boolean })[] = seeded.slice(200, 250).map((account) => ({ ...account, busy: false }));
    const refreshPool = await server.request('refreshTokens', { userIds: seeded.slice(250, 300).map((account) => account.id) });

    const rates = Object.fromEntries(Object.entries(REFERENCE_RATES).map(([kind, rate]) => [kind, rate * SPEED_UP])) as Record<
      Kind,
      number
    >;
    const sent: Record<Kind, number> = { me: 0, refresh: 0, signIn: 0, changePassword: 0 };
    const unexpected: Record<Kind, number> = { me: 0, refresh: 0, signIn: 0, changePassword: 0 };
    const unexpectedAnswers: Record<string, number> = {};
    const wrongAnswer = (kind: Kind, typename: string) => {
      unexpected[kind] += 1;
      const key = `${kind}: ${typename.slice(0, 80)}`;
      unexpectedAnswers[key] = (unexpectedAnswers[key] ?? 0) + 1;
    };
    const meLatencies: number[] = [];
    const address = addressSequence();
    const inFlight = new Set<Promise<void>>();
    const track = (work: Promise<void>) => {
      inFlight.add(work);
      void work.finally(() => inFlight.delete(work));
    };
    const pick = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)] as T;
    let serial = 0;

    const send: Record<Kind, () => Promise<void>> = {
      me: async () => {
        const account = pick(meAccounts);
        const started = performance.now();
        const { typename } = await client.typenameOf(
          { query: documents.me.replace('{ id }', '{ __typename id }'), headers: bearer(account.token) },
          'me',
        );
        meLatencies.push(performance.now() - started);
        if (typename !== 'User') wrongAnswer('me', typename);
      },
      refresh: async () => {
        const refreshToken = refreshPool.shift();
        if (refreshToken === undefined) return; // all in flight
        const operation: GraphQLRequest = {
          query: REFRESH,
          variables: { input: { refreshToken } },
          headers: { 'x-forwarded-for': address() },
        };
        const { typename, data } = await client.typenameOf(operation, 'refreshSession');
        if (typename === 'AuthPayload' && typeof data.refreshToken === 'string') refreshPool.push(data.refreshToken);
        else wrongAnswer('refresh', typename);
      },
      signIn: async () => {
        const account = pick(signInAccounts);
        const wrong = Math.random() < 0.2;
        const { typename } = await client.typenameOf(
          {
            query: SIGN_IN,
            variables: { input: { email: account.email, password: wrong ? 'Wrong-Passw0rd!-x' : PASSWORD } },
            headers: { 'x-forwarded-for': address() },
          },
          'signIn',
        );
        if (typename !== (wrong ? 'InvalidCredentialsError' : 'AuthPayload')) wrongAnswer('signIn', typename);
      },
      changePassword: async () => {
        const account = changeAccounts.find((candidate) => !candidate.busy);
        if (account === undefined) return;
        account.busy = true;
        serial += 1;
        // Nothing of the email (soak-N@…) in it: the policy refuses passwords that contain it.
        const newPassword = `Rotate-${serial}-Passw0rd!-long`;
        try {
          const { typename, data } = await client.typenameOf(
            {
              query: documents.changePassword,
              variables: { input: { currentPassword: account.password, newPassword, revokeOtherSessions: true } },
              headers: { ...bearer(account.token), 'x-forwarded-for': address() },
            },
            'changePassword',
          );
          if (typename === 'ChangePasswordSuccess' && typeof data.token === 'string') {
            account.password = newPassword;
            account.token = data.token;
          } else wrongAnswer('changePassword', typename);
        } finally {
          account.busy = false;
          // Back of the queue: each account changes at most once a minute or so (CHANGE_PASSWORD_RATE_LIMIT).
          changeAccounts.push(...changeAccounts.splice(changeAccounts.indexOf(account), 1));
        }
      },
    };

    const samples: SoakReport['samples'] = [];
    const startedAt = performance.now();
    const endAt = startedAt + minutes * 60_000;
    const sample = async () => {
      const memory: MemorySample = await server.request('memory', {});
      const minute = round((performance.now() - startedAt) / 60_000, 2);
      samples.push({ minute, rssMB: round(memory.rssBytes / 2 ** 20, 1), heapUsedMB: round(memory.heapUsedBytes / 2 ** 20, 1) });
      progress(
        `soak: ${minute} min, RSS ${samples.at(-1)?.rssMB} MB, sent ${JSON.stringify(sent)}, unexpected ${JSON.stringify(unexpected)}`,
      );
    };
    await sample();
    // Open loop: each kind is sent on its own schedule whether or not earlier requests were answered.
    const schedules = (Object.keys(rates) as Kind[]).map(async (kind) => {
      const interval = 1000 / rates[kind];
      for (let due = startedAt; due < endAt; due += interval) {
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
        sent[kind] += 1;
        track(
          send[kind]().catch((error: unknown) => wrongAnswer(kind, error instanceof Error ? error.message : String(error))),
        );
      }
    });
    const sampler = (async () => {
      while (performance.now() + SAMPLE_EVERY_MS < endAt) {
        await sleep(SAMPLE_EVERY_MS);
        await sample();
      }
    })();
    await Promise.all([...schedules, sampler]);
    await Promise.all(inFlight);
    await sample();

    const afterWarmup = samples.filter((s) => s.minute >= minutes * WARMUP_FRACTION);
    const first = afterWarmup[0] ?? samples[0];
    const last = samples.at(-1);
    if (first === undefined || last === undefined) throw new Error('No memory samples');
    const growth = last.rssMB - first.rssMB;
    return {
      minutes,
      database: database.kind,
      bcryptCost: cost,
      ratesPerSecond: rates,
      sent,
      unexpected,
      unexpectedAnswers,
      meLatencyMs: { p50: round(percentile(meLatencies, 50)), p99: round(percentile(meLatencies, 99)) },
      samples,
      rssAfterWarmupMB: first.rssMB,
      rssEndMB: last.rssMB,
      rssMaxMB: Math.max(...samples.map((s) => s.rssMB)),
      rssSlopeMBPerMinute: round(slope(afterWarmup.map((s) => ({ x: s.minute, y: s.rssMB }))), 2),
      target: { figure: 'RSS growth after the warm-up (MB)', value: round(growth, 1), target: '< 25', met: growth < 25 },
      loadAverage: { before: loadBefore, after: await loadAverage().catch(() => 'n/a') },
    };
  } finally {
    client.close();
    await server.stop();
    await database.drop();
  }
}

export function formatSoak(r: SoakReport): string {
  const lines = [
    `Soak: ${r.minutes} min on ${r.database}, bcrypt cost ${r.bcryptCost}, ${SPEED_UP}× the reference hour (per second: ` +
      `${Object.entries(r.ratesPerSecond)
        .map(([kind, rate]) => `${kind} ${round(rate, 2)}`)
        .join(', ')}); load average ${r.loadAverage.before} before, ${r.loadAverage.after} after.`,
    '',
    '| minute | RSS (MB) | heap used (MB) |',
    '|---|---|---|',
    ...r.samples.map((s) => `| ${s.minute} | ${s.rssMB} | ${s.heapUsedMB} |`),
    '',
    `Sent ${JSON.stringify(r.sent)}; unexpected answers ${JSON.stringify(r.unexpectedAnswers)}; me p50 / p99 ${r.meLatencyMs.p50} / ${r.meLatencyMs.p99} ms.`,
    `RSS after the warm-up ${r.rssAfterWarmupMB} MB, at the end ${r.rssEndMB} MB, max ${r.rssMaxMB} MB; slope ${r.rssSlopeMBPerMinute} MB/min. ` +
      `${r.target.figure}: ${r.target.value} (target ${r.target.target}): ${r.target.met ? 'met' : '**missed**'}.`,
  ];
  return lines.join('\n');
}
