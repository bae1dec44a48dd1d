import type { TokenVerification } from './token-verification.ts';
import { combineLoads, type ChangePasswordLoad } from './change-password-load.ts';
import { combineShares, withoutContention, type CpuShare, type Metered } from './cpu-share.ts';
import type { ProbeResult } from './latency-probe.ts';
import type { Machine } from './machine.ts';
import type { BcryptBound, LimiterFill, LoopDelay, MemorySample, SessionFill } from './protocol.ts';
import type { PathResult } from './rejection-paths.ts';
import type { SignInKind, SignInLoad } from './sign-in-parity.ts';
import { percentile, round, spread } from './stats.ts';

/** One round of the phases that are compared with each other, run back to back. */
export interface Round {
  bound: Metered<BcryptBound>;
  /** With the CPU the server's main thread spent per change request (null where /proc is missing). */
  rekey: Metered<ChangePasswordLoad> & { mainThreadMsPerChange: number | null };
  naive: Metered<ChangePasswordLoad>;
  signIn: Record<SignInKind, Metered<SignInLoad>>;
}

/** The rounds measured at one bcrypt cost, on servers started with it. */
export interface CostRun {
  cost: number;
  rounds: Round[];
  accountsPerServer: number;
}

/** Everything one run measured, before it is turned into figures. */
export interface Measurements {
  mode: 'default' | 'quick';
  machine: Machine;
  database: 'PGlite' | 'PostgreSQL';
  /** /proc/loadavg (1, 5, 15 minutes) when the run started and ended. */
  load: { before: number[] | null; after: number[] | null };
  settings: {
    bcryptCosts: number[];
    threadNice: number;
    passwordHistory: number;
    durationSeconds: number;
    rounds: number;
    changeConcurrency: number;
    probeRatePerSecond: number;
    pathConnections: number;
  };
  costs: CostRun[];
  changeConcurrency: number;
  underLoad: { changePassword: ChangePasswordLoad; me: ProbeResult; loopDelay: LoopDelay };
  paths: Record<'typename' | 'forgedToken' | 'rateLimited' | 'invalidInput' | 'me' | 'refresh', PathResult>;
  memory: { afterRun: MemorySample; sessions: SessionFill; fill: LimiterFill };
  /** CPU other processes took during the phases measured outside the rounds (null where /proc is missing). */
  otherProcessesCpu: { underLoad: CpuShare | null; paths: CpuShare | null };
  cpuProfileDir: string | null;
}

export interface Target {
  figure: string;
  value: number;
  target: string;
  met: boolean;
}

const MB = 2 ** 20;

function target(figure: string, value: number, comparison: '>=' | '<=' | '<', limit: number): Target {
  const met = comparison === '>=' ? value >= limit : comparison === '<=' ? value <= limit : value < limit;
  return { figure, value: round(value, 3), target: `${comparison} ${limit}`, met };
}

function within(figure: string, value: number, low: number, high: number): Target {
  return { figure, value: round(value, 3), target: `${low}–${high}`, met: value >= low && value <= high };
}

/** Requests that got something other than the expected answer; each must be 0. */
function problems(m: Measurements): string[] {
  const found: string[] = [];
  const unexpected = (label: string, outcomes: Record<string, number>) => {
    for (const [typename, count] of Object.entries(outcomes)) {
      if (typename !== 'ChangePasswordSuccess') found.push(`${label}: ${round(count, 1)} × ${typename}`);
    }
  };
  for (const run of m.costs) {
    unexpected(`Rekey changePassword at cost ${run.cost}`, combineLoads(run.rounds.map((r) => r.rekey.value)).outcomes);
    unexpected(`naive changePassword at cost ${run.cost}`, combineLoads(run.rounds.map((r) => r.naive.value)).outcomes);
    for (const r of run.rounds) {
      for (const load of Object.values(r.signIn))
        if (load.value.wrong > 0)
          found.push(`signIn (${load.value.kind}) at cost ${run.cost}: ${load.value.wrong} answers other than InvalidCredentialsError`);
    }
  }
  unexpected('changePassword under the me probe', m.underLoad.changePassword.outcomes);
  if (m.underLoad.me.wrong > 0) found.push(`me probe: ${m.underLoad.me.wrong} wrong answers`);
  for (const path of Object.values(m.paths)) {
    if (path.wrong > 0) found.push(`${path.name}: ${path.wrong} unexpected answers or errors`);
  }
  return found;
}

function roundAll<T extends object>(values: T, digits = 2): T {
  return Object.fromEntries(
    Object.entries(values).map(([key, value]) => [key, typeof value === 'number' ? round(value, digits) : value]),
  ) as T;
}

const latency = (load: ChangePasswordLoad) => ({
  p50: round(percentile(load.latenciesMs, 50)),
  p99: round(percentile(load.latenciesMs, 99)),
});
const share = (measured: CpuShare | null | undefined) => (measured == null ? null : round(measured.others, 3));

/** Per-round ratios at one cost: each round's figures are compared within the round, then the median is taken. */
function costFigures(run: CostRun) {
  const { rounds } = run;
  const toBound = rounds.map((r) => r.rekey.value.changesPerSecond / (r.bound.value.comparesPerSecond / 2));
  const toBoundAdjusted = rounds.map(
    (r) =>
      withoutContention(r.rekey.value.changes, r.rekey.share) /
      r.rekey.value.seconds /
      (withoutContention(r.bound.value.compares, r.bound.share) / r.bound.value.seconds / 2),
  );
  const toNaive = rounds.map((r) =>
    r.naive.value.changesPerSecond > 0 ? r.rekey.value.changesPerSecond / r.naive.value.changesPerSecond : 0,
  );
  const signInRatio = rounds.map((r) =>
    r.signIn.wrongPassword.value.perSecond > 0 ? r.signIn.unknownEmail.value.perSecond / r.signIn.wrongPassword.value.perSecond : 0,
  );
  const mainThread = rounds.flatMap((r) => (r.rekey.mainThreadMsPerChange === null ? [] : [r.rekey.mainThreadMsPerChange]));
  const rekey = combineLoads(rounds.map((r) => r.rekey.value));
  return {
    cost: run.cost,
    accountsPerServer: run.accountsPerServer,
    bcryptComparesPerSecond: spread(
      rounds.map((r) => r.bound.value.comparesPerSecond),
      2,
    ),
    changePasswordPerSecond: spread(
      rounds.map((r) => r.rekey.value.changesPerSecond),
      2,
    ),
    naivePerSecond: spread(
      rounds.map((r) => r.naive.value.changesPerSecond),
      2,
    ),
    ratioToBound: spread(toBound),
    /** Each round scaled by the CPU share other processes left it (see cpu-share.ts). */
    ratioToBoundAdjusted: spread(toBoundAdjusted),
    ratioToNaive: spread(toNaive),
    signIn: {
      wrongPasswordPerSecond: spread(
        rounds.map((r) => r.signIn.wrongPassword.value.perSecond),
        2,
      ),
      unknownEmailPerSecond: spread(
        rounds.map((r) => r.signIn.unknownEmail.value.perSecond),
        2,
      ),
      unknownToWrong: spread(signInRatio),
    },
    /** CPU of the server's event loop thread per change request (PGlite runs its queries there too); bcrypt's two operations run on the pool. */
    mainThreadMsPerChange: mainThread.length > 0 ? spread(mainThread, 2) : null,
    latencyMs: latency(rekey),
    otherProcessesCpuShare: {
      bound: share(combineShares(rounds.map((r) => r.bound.share))),
      rekey: share(combineShares(rounds.map((r) => r.rekey.share))),
      naive: share(combineShares(rounds.map((r) => r.naive.share))),
    },
  };
}

/** Every figure of the run, with its targets; `elapsedSeconds` is how long the whole run took. */
export function buildReport(m: Measurements, elapsedSeconds: number, tokenVerification: TokenVerification) {
  const costs = m.costs.map(costFigures);
  const bare = m.paths.typename.requestsPerSecond;
  const pathFigure = (path: PathResult) => ({
    requestsPerSecond: round(path.requestsPerSecond, 0),
    ratioToTypename: round(path.requestsPerSecond / bare, 3),
    requests: path.requests,
  });
  const sessionGrowthMB = (m.memory.sessions.after.rssBytes - m.memory.sessions.before.rssBytes) / MB;
  const identityGrowthMB = (m.memory.fill.after.rssBytes - m.memory.fill.before.rssBytes) / MB;
  const targets: Target[] = [
    ...costs.flatMap((c) => [
      target(`changePassword / bound, cost ${c.cost} (median of rounds)`, c.ratioToBound.median, '>=', 0.95),
      target(`changePassword / naive, cost ${c.cost} (median of rounds)`, c.ratioToNaive.median, '>=', 1.45),
      within(`signIn unknown email / wrong password, cost ${c.cost} (median of rounds)`, c.signIn.unknownToWrong.median, 0.95, 1.05),
    ]),
    target('me p99 under changePassword load (ms)', m.underLoad.me.p99Ms, '<=', 20),
    target('event-loop delay p99 excess under load (ms)', m.underLoad.loopDelay.excessP99Ms, '<=', 20),
    target('forged token / typename', m.paths.forgedToken.requestsPerSecond / bare, '>=', 0.5),
    target('rate limited / typename', m.paths.rateLimited.requestsPerSecond / bare, '>=', 0.5),
    target('invalid input / typename', m.paths.invalidInput.requestsPerSecond / bare, '>=', 0.5),
    target('me / typename', m.paths.me.requestsPerSecond / bare, '>=', 0.5),
    target('refreshSession / typename', m.paths.refresh.requestsPerSecond / bare, '>=', 0.3),
    target(`RSS growth, ${m.memory.sessions.sessions} sessions (MB)`, sessionGrowthMB, '<', 50),
    target(`RSS growth, ${m.memory.fill.identities} limiter identities (MB)`, identityGrowthMB, '<', 50),
  ];
  return {
    benchmark: 'rekey',
    mode: m.mode,
    date: new Date().toISOString(),
    machine: m.machine,
    loadAverage: m.load,
    database: m.database,
    settings: m.settings,
    costs,
    meUnderLoad: {
      bcryptCost: m.settings.bcryptCosts[0],
      ratePerSecond: m.underLoad.me.ratePerSecond,
      requests: m.underLoad.me.sent,
      p50Ms: round(m.underLoad.me.p50Ms),
      p99Ms: round(m.underLoad.me.p99Ms),
      maxMs: round(m.underLoad.me.maxMs),
      changePasswordPerSecondMeanwhile: round(m.underLoad.changePassword.changesPerSecond),
      eventLoopDelay: roundAll(m.underLoad.loopDelay),
    },
    tokenVerification,
    rejectionPaths: {
      typename: { requestsPerSecond: round(bare, 0), requests: m.paths.typename.requests },
      forgedToken: pathFigure(m.paths.forgedToken),
      rateLimited: pathFigure(m.paths.rateLimited),
      invalidInput: pathFigure(m.paths.invalidInput),
      me: pathFigure(m.paths.me),
      refreshSession: pathFigure(m.paths.refresh),
    },
    memory: {
      rssAfterRunMB: round(m.memory.afterRun.rssBytes / MB, 1),
      heapUsedAfterRunMB: round(m.memory.afterRun.heapUsedBytes / MB, 1),
      sessions: {
        sessions: m.memory.sessions.sessions,
        accounts: m.memory.sessions.accounts,
        lookedUp: m.memory.sessions.lookedUp,
        cacheEntries: m.memory.sessions.cacheEntries,
        rssBeforeMB: round(m.memory.sessions.before.rssBytes / MB, 1),
        /** Of the growth, what inserting the rows took before any lookup (PGlite's buffers, in embedded mode). */
        rssGrowthFromRowsMB: round((m.memory.sessions.inserted.rssBytes - m.memory.sessions.before.rssBytes) / MB, 1),
        rssGrowthFromLookupsMB: round((m.memory.sessions.after.rssBytes - m.memory.sessions.inserted.rssBytes) / MB, 1),
        rssAfterMB: round(m.memory.sessions.after.rssBytes / MB, 1),
        rssGrowthMB: round(sessionGrowthMB, 1),
        heapGrowthMB: round((m.memory.sessions.after.heapUsedBytes - m.memory.sessions.before.heapUsedBytes) / MB, 1),
        seconds: round(m.memory.sessions.seconds),
      },
      identities: m.memory.fill.identities,
      rssBeforeIdentitiesMB: round(m.memory.fill.before.rssBytes / MB, 1),
      rssAfterIdentitiesMB: round(m.memory.fill.after.rssBytes / MB, 1),
      rssGrowthMB: round(identityGrowthMB, 1),
      heapGrowthMB: round((m.memory.fill.after.heapUsedBytes - m.memory.fill.before.heapUsedBytes) / MB, 1),
      fillSeconds: round(m.memory.fill.seconds),
    },
    otherProcessesCpuShare: {
      meUnderLoad: share(m.otherProcessesCpu.underLoad),
      rejectionPaths: share(m.otherProcessesCpu.paths),
    },
    targets,
    allTargetsMet: targets.every((t) => t.met),
    problems: problems(m),
    cpuProfileDir: m.cpuProfileDir,
    elapsedSeconds: round(elapsedSeconds, 1),
  };
}

export type BenchReport = ReturnType<typeof buildReport>;

const verdict = (t: Target | undefined) => (t === undefined ? '' : t.met ? 'met' : '**missed**');
const perSecond = (value: number) => `${value.toLocaleString('en-US')} /s`;
const percent = (value: number | null) => (value === null ? 'n/a' : `${Math.round(value * 100)}%`);
const ranged = (s: { median: number; min: number; max: number }) => `**${s.median}** (${s.min}–${s.max})`;
const find = (r: BenchReport, prefix: string) => r.targets.find((t) => t.figure.startsWith(prefix));

/** The human-readable summary, as a Markdown table (it goes into bench/RESULTS.md as is). */
export function formatTable(r: BenchReport): string {
  const paths = r.rejectionPaths;
  const rows: [string, string, string, string][] = [];
  for (const c of r.costs) {
    const toBound = find(r, `changePassword / bound, cost ${c.cost} `);
    const toNaive = find(r, `changePassword / naive, cost ${c.cost} `);
    const signIn = find(r, `signIn unknown email / wrong password, cost ${c.cost} `);
    rows.push(
      [
        `cost ${c.cost}: bcrypt compares, all pool threads busy (median of ${r.settings.rounds} rounds, range)`,
        `${ranged(c.bcryptComparesPerSecond)} /s`,
        '',
        '',
      ],
      [
        `cost ${c.cost}: Rekey changePassword ÷ bound (compares ÷ 2), ${r.settings.changeConcurrency} in flight`,
        `${ranged(c.ratioToBound)}; ${c.changePasswordPerSecond.median} /s; adjusted¹ ${c.ratioToBoundAdjusted.median}`,
        '>= 0.95',
        verdict(toBound),
      ],
      [`cost ${c.cost}: Rekey ÷ naive flow (3rd bcrypt compare)`, ranged(c.ratioToNaive), '>= 1.45', verdict(toNaive)],
      [
        `cost ${c.cost}: signIn, unknown email ÷ wrong password`,
        `${ranged(c.signIn.unknownToWrong)} (${c.signIn.unknownEmailPerSecond.median} vs ${c.signIn.wrongPasswordPerSecond.median} /s)`,
        '0.95–1.05',
        verdict(signIn),
      ],
      [
        `cost ${c.cost}: server main-thread CPU per change request (the event loop; with PGlite its SQL too)`,
        c.mainThreadMsPerChange === null ? 'n/a' : `${ranged(c.mainThreadMsPerChange)} ms`,
        '',
        '',
      ],
    );
  }
  rows.push(
    [
      `\`me\` at ${r.meUnderLoad.ratePerSecond}/s while changePassword saturates the CPU (cost ${r.meUnderLoad.bcryptCost}): p50 / p99`,
      `${r.meUnderLoad.p50Ms} / **${r.meUnderLoad.p99Ms}** ms`,
      'p99 <= 20 ms',
      verdict(find(r, 'me p99')),
    ],
    [
      'server event-loop delay meanwhile: p99 (excess over its 10 ms timer)',
      `${r.meUnderLoad.eventLoopDelay.p99Ms} ms (**${r.meUnderLoad.eventLoopDelay.excessP99Ms}** ms)`,
      'excess <= 20 ms',
      verdict(find(r, 'event-loop')),
    ],
    ['bare `{ __typename }`', perSecond(paths.typename.requestsPerSecond), '', ''],
    [
      'forged token → InvalidSessionError',
      `${perSecond(paths.forgedToken.requestsPerSecond)} = **${paths.forgedToken.ratioToTypename}** ×`,
      '>= 0.5 ×',
      verdict(find(r, 'forged')),
    ],
    [
      'rate limited → RateLimitedError',
      `${perSecond(paths.rateLimited.requestsPerSecond)} = **${paths.rateLimited.ratioToTypename}** ×`,
      '>= 0.5 ×',
      verdict(find(r, 'rate limited')),
    ],
    [
      'invalid input → ValidationError',
      `${perSecond(paths.invalidInput.requestsPerSecond)} = **${paths.invalidInput.ratioToTypename}** ×`,
      '>= 0.5 ×',
      verdict(find(r, 'invalid input')),
    ],
    [
      '`me` with a valid token',
      `${perSecond(paths.me.requestsPerSecond)} = **${paths.me.ratioToTypename}** ×`,
      '>= 0.5 ×',
      verdict(find(r, 'me / typename')),
    ],
    [
      'token check in-process (signature and claims), first sight: ES256 / HS256; ES256 seen before',
      `${r.tokenVerification.es256Microseconds} / ${r.tokenVerification.hs256Microseconds} µs (ES256 = ${r.tokenVerification.es256ToHs256} × HS256); ${r.tokenVerification.es256AgainMicroseconds} µs`,
      '',
      '',
    ],
    [
      '`refreshSession` (each a real rotation)',
      `${perSecond(paths.refreshSession.requestsPerSecond)} = **${paths.refreshSession.ratioToTypename}** ×`,
      '>= 0.3 ×',
      verdict(find(r, 'refreshSession')),
    ],
    ['server RSS after the run', `${r.memory.rssAfterRunMB} MB`, '', ''],
    [
      `after ${r.memory.sessions.sessions.toLocaleString('en-US')} more sessions (${r.memory.sessions.lookedUp.toLocaleString('en-US')} looked up; ${r.memory.sessions.cacheEntries ?? 'no'} cached)`,
      `${r.memory.sessions.rssAfterMB} MB RSS (**+${r.memory.sessions.rssGrowthMB} MB**: rows +${r.memory.sessions.rssGrowthFromRowsMB}, lookups +${r.memory.sessions.rssGrowthFromLookupsMB}; heap +${r.memory.sessions.heapGrowthMB} MB)`,
      '< 50 MB growth',
      verdict(find(r, 'RSS growth')),
    ],
    [
      `after ${r.memory.identities.toLocaleString('en-US')} more rate-limit identities`,
      `${r.memory.rssAfterIdentitiesMB} MB RSS (**+${r.memory.rssGrowthMB} MB**; heap +${r.memory.heapGrowthMB} MB)`,
      '< 50 MB growth',
      verdict(r.targets.at(-1)),
    ],
    [
      'CPU taken by other processes: changePassword rounds (per cost) / `me` under load / paths',
      [
        ...r.costs.map((c) => percent(c.otherProcessesCpuShare.rekey)),
        percent(r.otherProcessesCpuShare.meUnderLoad),
        percent(r.otherProcessesCpuShare.rejectionPaths),
      ].join(' / '),
      'ideally 0%',
      '',
    ],
  );
  const load = (values: number[] | null) => (values === null ? 'n/a' : values.join(' '));
  return [
    `${r.database}, ${r.mode} run of ${r.elapsedSeconds} s; ${r.machine.cores} cores (${r.machine.cpuModel}), Node ${r.machine.node}, ` +
      `pool ${r.machine.threadpoolSize} threads at nice ${r.settings.threadNice}; load average ${load(r.loadAverage.before)} before, ${load(r.loadAverage.after)} after.`,
    '',
    '| figure | value | target | |',
    '|---|---|---|---|',
    ...rows.map((row) => `| ${row.join(' | ')} |`),
    '',
    '¹ each round scaled by the CPU share other processes left it (first-order correction for a shared machine). Ranges are min–max over the rounds.',
  ].join('\n');
}
