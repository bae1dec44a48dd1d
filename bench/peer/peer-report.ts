// The side-by-side figures: per path each contender's rate (median and range
// over the rounds), the per-round ratio Rekey ÷ Better Auth (median and
// range), wrong answers on each side, and memory.
import type { Target } from '../report.ts';
import { spread } from '../stats.ts';
import { PATH_LABELS, PATH_NAMES, type PathName } from './contender.ts';
import type { PathRun } from './loads.ts';
import type { ContenderKey, PeerMeasurements, ProcessMemory } from './peer-run.ts';

const MB = 2 ** 20;
type Spread = ReturnType<typeof spread>;

export interface PeerRow {
  path: PathName | 'sessionCached';
  label: string;
  /** The Better Auth column compared with. */
  against: 'betterAuth' | 'betterAuthCached';
  rekeyPerSecond: Spread;
  betterAuthPerSecond: Spread;
  /** Each round's Rekey rate ÷ the same round's Better Auth rate. */
  ratio: Spread;
  wrong: { rekey: number; betterAuth: number };
  /** A few wrong answers of each side, as they came. */
  wrongSamples: { rekey: string[]; betterAuth: string[] };
}

function row(path: PeerRow['path'], label: string, rekey: PathRun[], other: PathRun[], against: PeerRow['against']): PeerRow {
  const ratios = rekey.map((run, index) => {
    const peer = other[index]?.perSecond ?? 0;
    return peer > 0 ? run.perSecond / peer : 0;
  });
  const wrong = (runs: PathRun[]) => runs.reduce((sum, run) => sum + run.wrong, 0);
  return {
    path,
    label,
    against,
    rekeyPerSecond: spread(
      rekey.map((run) => run.perSecond),
      1,
    ),
    betterAuthPerSecond: spread(
      other.map((run) => run.perSecond),
      1,
    ),
    ratio: spread(ratios, 2),
    wrong: { rekey: wrong(rekey), betterAuth: wrong(other) },
    wrongSamples: {
      rekey: [...new Set(rekey.flatMap((run) => run.samples))],
      betterAuth: [...new Set(other.flatMap((run) => run.samples))],
    },
  };
}

function memoryFigures(memory: ProcessMemory | undefined) {
  const mb = (bytes: number | null | undefined) => (bytes == null ? null : Math.round((bytes / MB) * 10) / 10);
  return { restMB: mb(memory?.restBytes), peakMB: mb(memory?.peakBytes) };
}

/**
 * Issue 35's targets: Rekey ÷ Better Auth, the median of the rounds' ratios,
 * at least this on each path; RSS at rest and at peak at most 1.2 × Better
 * Auth's (without its cookie cache).
 */
const RATIO_TARGETS: Record<PeerRow['path'], number> = {
  session: 1.2,
  forged: 1.2,
  sessionCached: 1,
  changeSuccess: 1,
  changeWrong: 1,
  signInWrong: 1,
  signInUnknown: 1,
};
const MEMORY_TARGET = 1.2;

function peerTargets(rows: PeerRow[], memory: Record<string, ReturnType<typeof memoryFigures>>): Target[] {
  const ratios = rows.map(({ path, label, ratio }) => {
    const limit = RATIO_TARGETS[path];
    return { figure: `Rekey ÷ Better Auth, ${label} (median of rounds)`, value: ratio.median, target: `>= ${limit}`, met: ratio.median >= limit };
  });
  const rekey = memory.rekey;
  const betterAuth = memory.betterAuth;
  const memoryTargets = (['restMB', 'peakMB'] as const).flatMap((key) => {
    const ours = rekey?.[key];
    const theirs = betterAuth?.[key];
    if (ours == null || theirs == null || theirs === 0) return [];
    const value = Math.round((ours / theirs) * 1000) / 1000;
    const figure = `Rekey ÷ Better Auth, RSS ${key === 'restMB' ? 'at rest' : 'at peak'}`;
    return [{ figure, value, target: `<= ${MEMORY_TARGET}`, met: value <= MEMORY_TARGET }];
  });
  return [...ratios, ...memoryTargets];
}

export function buildPeerReport(m: PeerMeasurements) {
  const rows: PeerRow[] = [];
  for (const name of PATH_NAMES) {
    const runs = m.runs[name];
    const rekey = runs?.rekey;
    if (rekey === undefined) continue;
    if (runs?.betterAuth) rows.push(row(name, PATH_LABELS[name], rekey, runs.betterAuth, 'betterAuth'));
    if (runs?.betterAuthCached)
      rows.push(
        row(
          'sessionCached',
          'session check vs Better Auth with its 5-minute cookie cache',
          rekey,
          runs.betterAuthCached,
          'betterAuthCached',
        ),
      );
  }
  const memory = Object.fromEntries(
    (['rekey', 'betterAuth', 'betterAuthCached'] as ContenderKey[]).map((key) => [key, memoryFigures(m.memory[key])]),
  );
  const otherProcessesCpuShare = m.otherProcessesCpu === null ? null : Math.round(m.otherProcessesCpu.others * 1000) / 1000;
  return { skipped: m.skipped, settings: m.settings, rows, memory, otherProcessesCpuShare, targets: peerTargets(rows, memory) };
}

export type PeerReport = ReturnType<typeof buildPeerReport>;

/** Wrong answers on either side: the comparison measured something else there. */
export function peerProblems(report: PeerReport): string[] {
  return report.rows.flatMap((r) =>
    r.wrong.rekey + r.wrong.betterAuth > 0
      ? [
          `peer comparison, ${r.label}: ${r.wrong.rekey} wrong answers from Rekey (${r.wrongSamples.rekey.join('; ')}), ` +
            `${r.wrong.betterAuth} from Better Auth (${r.wrongSamples.betterAuth.join('; ')})`,
        ]
      : [],
  );
}

const ranged = (s: Spread) => `**${s.median.toLocaleString('en-US')}** (${s.min.toLocaleString('en-US')}–${s.max.toLocaleString('en-US')})`;

export function formatPeerTable(report: PeerReport): string {
  if (report.skipped !== null) return `Better Auth side by side: skipped (${report.skipped}).`;
  const s = report.settings;
  const memory = (key: string) => {
    const figures = (report.memory as Record<string, { restMB: number | null; peakMB: number | null }>)[key];
    return figures?.restMB == null ? 'n/a' : `${figures.restMB} / ${figures.peakMB} MB`;
  };
  return [
    `Rekey and Better Auth side by side on PostgreSQL: bcrypt cost ${s.bcryptCost}, ${s.connections} connections, ${s.rounds} interleaved rounds ` +
      `(${s.fixedSeconds} s per cheap path, ${s.loopSeconds} s per bcrypt path after ${s.loopWarmupSeconds} s warm-up); medians, ranges min–max.`,
    '',
    '| path | Rekey /s | Better Auth /s | Rekey ÷ Better Auth | target | wrong answers (Rekey / BA) |',
    '|---|---|---|---|---|---|',
    ...report.rows.map(
      (r) =>
        `| ${r.label} | ${ranged(r.rekeyPerSecond)} | ${ranged(r.betterAuthPerSecond)} | ${ranged(r.ratio)} | ` +
        `≥ ${RATIO_TARGETS[r.path]} ${r.ratio.median >= RATIO_TARGETS[r.path] ? 'met' : '**missed**'} | ` +
        `${r.wrong.rekey} / ${r.wrong.betterAuth}${r.wrong.rekey + r.wrong.betterAuth > 0 ? ' **wrong answers: not comparable**' : ''} |`,
    ),
    '',
    `RSS at rest / peak: Rekey ${memory('rekey')}; Better Auth ${memory('betterAuth')}; Better Auth with its cookie cache ${memory('betterAuthCached')}. ` +
      `${report.targets
        .filter((t) => t.figure.includes('RSS'))
        .map((t) => `${t.figure}: ${t.value} (target ${t.target}: ${t.met ? 'met' : '**missed**'}). `)
        .join('')}` +
      `CPU taken by other processes meanwhile: ${report.otherProcessesCpuShare === null ? 'n/a' : `${Math.round(report.otherProcessesCpuShare * 100)}%`} (ideally 0%).`,
  ].join('\n');
}
