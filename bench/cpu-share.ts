// Who used the machine's CPU during a phase: the benchmark's own processes, or
// something else. Other sessions' tests on a shared machine slow every phase
// they overlap, which wall-clock rates cannot tell apart from a slow server;
// this makes such runs visible. Linux only (/proc); null elsewhere.
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';

/** USER_HZ: Linux reports /proc CPU times in hundredths of a second on every common build. */
const TICKS_PER_SECOND = 100;

interface Snapshot {
  atMs: number;
  machineBusyTicks: number;
  oursTicks: number;
}

export interface CpuShare {
  /** Share of all cores' time used by processes other than the benchmark's, 0–1. */
  others: number;
  /** Share used by the benchmark (its servers, itself and, with DATABASE_URL, PostgreSQL), 0–1. */
  ours: number;
  seconds: number;
}

function readTicks(path: string): number | null {
  try {
    const stat = readFileSync(path, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces; utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null; // exited meanwhile
  }
}

function machineBusyTicks(): number {
  const [, ...values] = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = values.map(Number);
  return user + nice + system + irq + softirq + steal;
}

function postgresPids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

/** Measures CPU shares between `start()` and `stop()`; the benchmark's processes are named by `ourPids`. */
export class CpuShareMeter {
  readonly #ourPids: () => number[];
  readonly #includePostgres: boolean;
  readonly #available = process.platform === 'linux';

  constructor(ourPids: () => number[], includePostgres: boolean) {
    this.#ourPids = ourPids;
    this.#includePostgres = includePostgres;
  }

  #snapshot(): Snapshot {
    const pids = [...this.#ourPids(), ...(this.#includePostgres ? postgresPids() : [])];
    const oursTicks = pids.reduce((sum, pid) => sum + (readTicks(`/proc/${pid}/stat`) ?? 0), 0);
    return { atMs: performance.now(), machineBusyTicks: machineBusyTicks(), oursTicks };
  }

  /** Starts a measurement; call the returned function at its end. */
  start(): () => CpuShare | null {
    if (!this.#available) return () => null;
    const before = this.#snapshot();
    return () => {
      const after = this.#snapshot();
      const seconds = (after.atMs - before.atMs) / 1000;
      const capacity = seconds * TICKS_PER_SECOND * availableParallelism();
      const ours = Math.max(0, after.oursTicks - before.oursTicks);
      const others = Math.max(0, after.machineBusyTicks - before.machineBusyTicks - ours);
      return { others: others / capacity, ours: ours / capacity, seconds };
    };
  }
}

/** The shares of several measurements taken as one, weighted by their lengths. */
export function combineShares(shares: (CpuShare | null)[]): CpuShare | null {
  const known = shares.filter((share): share is CpuShare => share !== null);
  if (known.length === 0) return null;
  const seconds = known.reduce((sum, share) => sum + share.seconds, 0);
  const weighted = (pick: (share: CpuShare) => number) => known.reduce((sum, share) => sum + pick(share) * share.seconds, 0) / seconds;
  return { others: weighted((share) => share.others), ours: weighted((share) => share.ours), seconds };
}

/** A measurement with the CPU share other processes took while it ran. */
export interface Metered<T> {
  value: T;
  share: CpuShare | null;
}

/**
 * Scales a count measured while other processes took a share `others` of the
 * machine to what it would have been with the machine to itself, to first
 * order: a CPU-bound load gets the share the others leave.
 */
export function withoutContention(count: number, share: CpuShare | null): number {
  if (share === null) return count;
  return count / Math.max(0.05, 1 - share.others);
}

/** CPU seconds used so far by one thread of a process (its main thread: `tid` = `pid`); null once it is gone. */
export function threadCpuSeconds(pid: number, tid = pid): number | null {
  const ticks = readTicks(`/proc/${pid}/task/${tid}/stat`);
  return ticks === null ? null : ticks / TICKS_PER_SECOND;
}
