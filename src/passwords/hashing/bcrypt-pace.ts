/** bcrypt's work in units of one compare at its lowest cost (4): each cost above doubles it. */
export function workOfCost(cost: number): number {
  return 2 ** (cost - 4);
}

/**
 * How long a unit of bcrypt work takes, from the compares Rekey runs: the
 * latest compare's, to time a derivation against the padding that follows
 * it (DerivationTimes), and a moving average for a check that ran no
 * compare of its own. Compares below `minimumCost` are too short for their
 * fixed overhead (a hop to the thread pool and back) not to skew it.
 */
export class BcryptPace {
  #recent: number | null = null;
  #latest = Number.NaN;
  /** Compares timed so far. */
  count = 0;
  readonly #minimumCost: number;

  constructor(minimumCost: number) {
    this.#minimumCost = minimumCost;
  }

  /** Milliseconds per unit of bcrypt work lately; NaN before any compare. */
  get recent(): number {
    return this.#recent ?? Number.NaN;
  }

  /** Milliseconds per unit of bcrypt work of the latest timed compare; NaN before any. */
  get latest(): number {
    return this.#latest;
  }

  note(cost: number, milliseconds: number): void {
    if (cost < this.#minimumCost) return;
    const sample = milliseconds / workOfCost(cost);
    this.count += 1;
    this.#latest = sample;
    this.#recent = this.#recent === null ? sample : this.#recent * 0.8 + sample * 0.2;
  }
}

/** Kinds of derivation remembered; past it, new kinds are not priced (imports bring a handful). */
const MAX_KINDS = 1000;
/** Samples of a kind kept: its work is their median, so one run on a busy moment does not move it. */
const SAMPLES = 9;
/** The price over the costliest kind's work, for the spread of its runs. */
const MARGIN = 1.25;

/**
 * What each kind of derivation (a format with its parameters) costs in
 * bcrypt work: each sample is a derivation's time over the pace of a
 * padding compare that ran right after it, in the same check, so both were
 * timed under the same load (docs/design/foreign-hashes.md).
 */
export class DerivationTimes {
  readonly #kinds = new Map<string, number[]>();

  note(kind: string, units: number): void {
    let samples = this.#kinds.get(kind);
    if (samples === undefined) {
      if (this.#kinds.size >= MAX_KINDS) return;
      samples = [];
      this.#kinds.set(kind, samples);
    }
    samples.push(units);
    if (samples.length > SAMPLES) samples.shift();
  }

  /** The median of a kind's recent samples, or null before its first. */
  units(kind: string): number | null {
    const samples = this.#kinds.get(kind);
    if (samples === undefined || samples.length === 0) return null;
    const sorted = [...samples].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)] ?? null;
  }

  /**
   * The price the costliest kind seen twice (one run may be an outlier)
   * asks for: its work with MARGIN. Computed afresh from the recent samples,
   * so a busy first run does not price a kind too high for good.
   */
  costliest(): number {
    let units = 0;
    for (const [kind, samples] of this.#kinds) {
      if (samples.length >= 2) units = Math.max(units, Math.ceil((this.units(kind) ?? 0) * MARGIN));
    }
    return units;
  }
}
