import { combineLoads, type ChangePasswordLoad } from './change-password-load.ts';
import { combineShares, withoutContention, type CpuShare, type Metered } from './cpu-share.ts';
import type { ProbeResult } from './latency-probe.ts';
import type { Machine } from './machine.ts';
import type { BcryptBound, LimiterFill, LoopDelay, MemorySample } from './protocol.ts';
import type { PathResult } from './rejection-paths.ts';
import { percentile, round } from './stats.ts';

/** One round of the phases that are compared with each other, run back to back. */
export interface Round {
  bound: Metered<BcryptBound>;
  rekey: Metered<ChangePasswordLoad>;
  naive: Metered<ChangePasswordLoad>;
}

/** Everything one run measured, before it is turned into figures. */
export interface Measurements {
  mode: 'default' | 'quick';
  machine: Machine;
  database: 'PGlite' | 'PostgreSQL';
  settings: {
    bcryptCost: number;
    passwordHistory: number;
    durationSeconds: number;
    rounds: number;
    changeConcurrency: number;
    accountsPerServer: number;
    probeRatePerSecond: number;
    pathConnections: number;
  };
  rounds: Round[];
  underLoad: { changePassword: ChangePasswordLoad; me: ProbeResult; loopDelay: LoopDelay };
  paths: Record<'typename' | 'forgedToken' | 'rateLimited' | 'invalidInput' | 'me', PathResult>;
  memory: { afterRun: MemorySample; fill: LimiterFill };
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

/** Per second over all rounds: as measured, and as if no other process had used the CPU meanwhile. */
function rates<T>(runs: Metered<T>[], count: (value: T) => number, seconds: (value: T) => number) {
  const totalSeconds = runs.reduce((sum, run) => sum + seconds(run.value), 0);
  const measured = runs.reduce((sum, run) => sum + count(run.value), 0) / totalSeconds;
  const adjusted = runs.reduce((sum, run) => sum + withoutContention(count(run.value), run.share), 0) / totalSeconds;
  return { measured, adjusted, others: combineShares(runs.map((run) => run.share))?.others ?? null };
}

/** Requests that got something other than the expected answer; each must be 0. */
function problems(m: Measurements, rekey: ChangePasswordLoad, naive: ChangePasswordLoad): string[] {
  const found: string[] = [];
  const unexpected = (label: string, outcomes: Record<string, number>) => {
    for (const [typename, count] of Object.entries(outcomes)) {
      if (typename !== 'ChangePasswordSuccess') found.push(`${label}: ${round(count, 1)} × ${typename}`);
    }
  };
  unexpected('Rekey changePassword', rekey.outcomes);
  unexpected('naive changePassword', naive.outcomes);
  unexpected('changePassword under the me probe', m.underLoad.changePassword.outcomes);
  if (m.underLoad.me.wrong > 0) found.push(`me probe: ${m.underLoad.me.wrong} wrong answers`);
  for (const path of Object.values(m.paths)) {
    if (path.wrong > 0) found.push(`${path.name}: ${path.wrong} unexpected answers or errors`);
  }
  return found;
}

function roundAll<T extends object>(values: T, digits = 2): T {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, typeof value === 'number' ? round(value, digits) : value])) as T;
}

const latency = (load: ChangePasswordLoad) => ({ p50: round(percentile(load.latenciesMs, 50)), p99: round(percentile(load.latenciesMs, 99)) });
const share = (measured: CpuShare | null | undefined) => (measured == null ? null : round(measured.others, 3));

/** Every figure of the run, with its targets; `elapsedSeconds` is how long the whole run took. */
export function buildReport(m: Measurements, elapsedSeconds: number) {
  const [firstRound] = m.rounds;
  if (firstRound === undefined) throw new Error('No rounds measured');
  const rekey = combineLoads(m.rounds.map((r) => r.rekey.value));
  const naive = combineLoads(m.rounds.map((r) => r.naive.value));
  const bound = rates(m.rounds.map((r) => r.bound), (b) => b.compares, (b) => b.seconds);
  const rekeyRate = rates(m.rounds.map((r) => r.rekey), (l) => l.changes, (l) => l.seconds);
  const naiveRate = rates(m.rounds.map((r) => r.naive), (l) => l.changes, (l) => l.seconds);
  const ratioToBound = rekeyRate.measured / (bound.measured / 2);
  const ratioToNaive = naiveRate.measured > 0 ? rekeyRate.measured / naiveRate.measured : 0;
  const bare = m.paths.typename.requestsPerSecond;
  const pathFigure = (path: PathResult) => ({
    requestsPerSecond: round(path.requestsPerSecond, 0),
    ratioToTypename: round(path.requestsPerSecond / bare, 3),
    requests: path.requests,
  });
  const rssGrowthMB = (m.memory.fill.after.rssBytes - m.memory.fill.before.rssBytes) / MB;
  const targets: Target[] = [
    target('changePassword / bound', ratioToBound, '>=', 0.9),
    target('changePassword / naive', ratioToNaive, '>=', 1.45),
    target('me p99 under load (ms)', m.underLoad.me.p99Ms, '<=', 50),
    target('event-loop delay p99 excess (ms)', m.underLoad.loopDelay.excessP99Ms, '<=', 20),
    target('forged token / typename', m.paths.forgedToken.requestsPerSecond / bare, '>=', 0.5),
    target('rate limited / typename', m.paths.rateLimited.requestsPerSecond / bare, '>=', 0.5),
    target('invalid input / typename', m.paths.invalidInput.requestsPerSecond / bare, '>=', 0.5),
    target('me / typename', m.paths.me.requestsPerSecond / bare, '>=', 0.5),
    target(`RSS growth, ${m.memory.fill.identities} identities (MB)`, rssGrowthMB, '<', 50),
  ];
  return {
    benchmark: 'rekey',
    mode: m.mode,
    date: new Date().toISOString(),
    machine: m.machine,
    database: m.database,
    settings: m.settings,
    bcryptBound: {
      comparesPerSecond: round(bound.measured),
      changePasswordBound: round(bound.measured / 2),
      concurrency: firstRound.bound.value.concurrency,
      threadpoolSize: firstRound.bound.value.threadpoolSize,
      seconds: round(m.rounds.reduce((sum, r) => sum + r.bound.value.seconds, 0)),
    },
    changePassword: {
      perSecond: round(rekeyRate.measured),
      ratioToBound: round(ratioToBound, 3),
      changes: round(rekey.changes, 1),
      seconds: round(rekey.seconds),
      latencyMs: latency(rekey),
      outcomes: roundAll(rekey.outcomes, 1),
    },
    naiveChangePassword: {
      perSecond: round(naiveRate.measured),
      rekeyRatio: round(ratioToNaive, 3),
      changes: round(naive.changes, 1),
      seconds: round(naive.seconds),
      latencyMs: latency(naive),
      outcomes: roundAll(naive.outcomes, 1),
    },
    /**
     * The same three rates with each round scaled by the CPU share other
     * processes left it (see cpu-share.ts): on a machine shared with other
     * work, this separates Rekey's efficiency from the neighbours' load.
     */
    contentionAdjusted: {
      bcryptComparesPerSecond: round(bound.adjusted),
      changePasswordPerSecond: round(rekeyRate.adjusted),
      naivePerSecond: round(naiveRate.adjusted),
      ratioToBound: round(rekeyRate.adjusted / (bound.adjusted / 2), 3),
      rekeyToNaive: naiveRate.adjusted > 0 ? round(rekeyRate.adjusted / naiveRate.adjusted, 3) : 0,
    },
    rounds: m.rounds.map((r) => ({
      bcryptComparesPerSecond: round(r.bound.value.comparesPerSecond),
      changePasswordPerSecond: round(r.rekey.value.changesPerSecond),
      naivePerSecond: round(r.naive.value.changesPerSecond),
      otherProcessesCpuShare: { bound: share(r.bound.share), rekey: share(r.rekey.share), naive: share(r.naive.share) },
    })),
    meUnderLoad: {
      ratePerSecond: m.underLoad.me.ratePerSecond,
      requests: m.underLoad.me.sent,
      p50Ms: round(m.underLoad.me.p50Ms),
      p99Ms: round(m.underLoad.me.p99Ms),
      maxMs: round(m.underLoad.me.maxMs),
      changePasswordPerSecondMeanwhile: round(m.underLoad.changePassword.changesPerSecond),
      eventLoopDelay: roundAll(m.underLoad.loopDelay),
    },
    rejectionPaths: {
      typename: { requestsPerSecond: round(bare, 0), requests: m.paths.typename.requests },
      forgedToken: pathFigure(m.paths.forgedToken),
      rateLimited: pathFigure(m.paths.rateLimited),
      invalidInput: pathFigure(m.paths.invalidInput),
      me: pathFigure(m.paths.me),
    },
    memory: {
      rssAfterRunMB: round(m.memory.afterRun.rssBytes / MB, 1),
      heapUsedAfterRunMB: round(m.memory.afterRun.heapUsedBytes / MB, 1),
      identities: m.memory.fill.identities,
      rssBeforeIdentitiesMB: round(m.memory.fill.before.rssBytes / MB, 1),
      rssAfterIdentitiesMB: round(m.memory.fill.after.rssBytes / MB, 1),
      rssGrowthMB: round(rssGrowthMB, 1),
      heapGrowthMB: round((m.memory.fill.after.heapUsedBytes - m.memory.fill.before.heapUsedBytes) / MB, 1),
      fillSeconds: round(m.memory.fill.seconds),
    },
    otherProcessesCpuShare: {
      bound: bound.others === null ? null : round(bound.others, 3),
      rekey: rekeyRate.others === null ? null : round(rekeyRate.others, 3),
      naive: naiveRate.others === null ? null : round(naiveRate.others, 3),
      meUnderLoad: share(m.otherProcessesCpu.underLoad),
      rejectionPaths: share(m.otherProcessesCpu.paths),
    },
    targets,
    allTargetsMet: targets.every((t) => t.met),
    problems: problems(m, rekey, naive),
    cpuProfileDir: m.cpuProfileDir,
    elapsedSeconds: round(elapsedSeconds, 1),
  };
}

export type BenchReport = ReturnType<typeof buildReport>;

const verdict = (t: Target | undefined) => (t === undefined ? '' : t.met ? 'met' : '**missed**');
const perSecond = (value: number) => `${value.toLocaleString('en-US')} /s`;
const percent = (value: number | null) => (value === null ? 'n/a' : `${Math.round(value * 100)}%`);

/** The human-readable summary, as a Markdown table (it goes into bench/RESULTS.md as is). */
export function formatTable(r: BenchReport): string {
  const [toBound, toNaive, meP99, loop, forged, limited, invalid, me, memory] = r.targets;
  const adjusted = r.contentionAdjusted;
  const paths = r.rejectionPaths;
  const others = r.otherProcessesCpuShare;
  const rows: [string, string, string, string][] = [
    [
      `bcrypt compares, cost ${r.settings.bcryptCost}, ${r.bcryptBound.concurrency} in flight on ${r.bcryptBound.threadpoolSize} pool threads`,
      perSecond(r.bcryptBound.comparesPerSecond),
      '',
      '',
    ],
    ['changePassword bound (compares ÷ 2)', perSecond(r.bcryptBound.changePasswordBound), '', ''],
    [
      `Rekey changePassword, ${r.settings.changeConcurrency} in flight${r.settings.passwordHistory > 0 ? `, PASSWORD_HISTORY=${r.settings.passwordHistory}` : ''}`,
      `${perSecond(r.changePassword.perSecond)} = ${r.changePassword.ratioToBound} × bound (adjusted¹ ${adjusted.ratioToBound})`,
      '>= 0.90 × bound',
      verdict(toBound),
    ],
    [
      'naive changePassword (3rd bcrypt compare)',
      `${perSecond(r.naiveChangePassword.perSecond)}; Rekey = ${r.naiveChangePassword.rekeyRatio} × naive (adjusted¹ ${adjusted.rekeyToNaive})`,
      '>= 1.45 × naive',
      verdict(toNaive),
    ],
    [
      `\`me\` at ${r.meUnderLoad.ratePerSecond}/s during changePassword load: p50 / p99`,
      `${r.meUnderLoad.p50Ms} / ${r.meUnderLoad.p99Ms} ms`,
      'p99 <= 50 ms',
      verdict(meP99),
    ],
    [
      'server event-loop delay meanwhile: p99 (excess over its 10 ms timer)',
      `${r.meUnderLoad.eventLoopDelay.p99Ms} ms (${r.meUnderLoad.eventLoopDelay.excessP99Ms} ms)`,
      'excess <= 20 ms',
      verdict(loop),
    ],
    ['bare `{ __typename }`', perSecond(paths.typename.requestsPerSecond), '', ''],
    ['forged token → InvalidSessionError', `${perSecond(paths.forgedToken.requestsPerSecond)} = ${paths.forgedToken.ratioToTypename} ×`, '>= 0.5 ×', verdict(forged)],
    ['rate limited → RateLimitedError', `${perSecond(paths.rateLimited.requestsPerSecond)} = ${paths.rateLimited.ratioToTypename} ×`, '>= 0.5 ×', verdict(limited)],
    ['invalid input → ValidationError', `${perSecond(paths.invalidInput.requestsPerSecond)} = ${paths.invalidInput.ratioToTypename} ×`, '>= 0.5 ×', verdict(invalid)],
    ['`me` with a valid token', `${perSecond(paths.me.requestsPerSecond)} = ${paths.me.ratioToTypename} ×`, '>= 0.5 ×', verdict(me)],
    ['server RSS after the run', `${r.memory.rssAfterRunMB} MB`, '', ''],
    [
      `server after ${r.memory.identities.toLocaleString('en-US')} more rate-limit identities`,
      `${r.memory.rssAfterIdentitiesMB} MB RSS (+${r.memory.rssGrowthMB} MB; heap +${r.memory.heapGrowthMB} MB)`,
      '< 50 MB growth',
      verdict(memory),
    ],
    [
      'CPU taken by other processes: bound / Rekey / naive / `me` under load / paths',
      [others.bound, others.rekey, others.naive, others.meUnderLoad, others.rejectionPaths].map(percent).join(' / '),
      'ideally 0%',
      '',
    ],
  ];
  return [
    '| figure | value | target | |',
    '|---|---|---|---|',
    ...rows.map((row) => `| ${row.join(' | ')} |`),
    '',
    '¹ each round scaled by the CPU share other processes left it (first-order correction for a shared machine).',
  ].join('\n');
}
