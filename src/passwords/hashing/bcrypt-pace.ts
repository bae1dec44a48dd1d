/** bcrypt's work in units of one compare at its lowest cost (4): each cost above doubles it. */
export function workOfCost(cost: number): number {
  return 2 ** (cost - 4);
}

/** A moving average of recent samples, and the cheapest sample seen (a busy machine makes runs slower, never faster). */
export class RunTimes {
  #recent: number | null = null;
  #cheapest = Number.POSITIVE_INFINITY;
  count = 0;

  note(sample: number): void {
    this.count += 1;
    this.#recent = this.#recent === null ? sample : this.#recent * 0.8 + sample * 0.2;
    this.#cheapest = Math.min(this.#cheapest, sample);
  }

  get recent(): number {
    return this.#recent ?? Number.NaN;
  }

  get cheapest(): number {
    return this.#cheapest;
  }
}

/**
 * How long a unit of bcrypt work takes on this machine, from the compares
 * Rekey runs, so a derivation of another format can be priced in bcrypt work
 * (docs/design/foreign-hashes.md): its cheapest run over bcrypt's cheapest
 * for what it may raise the price to, recent runs over recent runs for its
 * padding, which then follows the load as the compares do. Compares below
 * `minimumCost` are too short for their fixed overhead not to skew it.
 */
export class BcryptPace {
  readonly millisecondsPerUnit = new RunTimes();
  readonly #minimumCost: number;

  constructor(minimumCost: number) {
    this.#minimumCost = minimumCost;
  }

  get known(): boolean {
    return this.millisecondsPerUnit.count > 0;
  }

  note(cost: number, milliseconds: number): void {
    if (cost >= this.#minimumCost) this.millisecondsPerUnit.note(milliseconds / workOfCost(cost));
  }
}

/** Kinds of derivation remembered; past it, new kinds are not priced (imports bring a handful). */
const MAX_KINDS = 1000;

/** The run times of each kind of derivation (a format with its parameters). */
export class DerivationTimes {
  readonly #kinds = new Map<string, RunTimes>();

  note(kind: string, milliseconds: number): RunTimes {
    let times = this.#kinds.get(kind);
    if (times === undefined) {
      times = new RunTimes();
      if (this.#kinds.size < MAX_KINDS) this.#kinds.set(kind, times);
    }
    times.note(milliseconds);
    return times;
  }
}
