/** bcrypt's work in units of one compare at its lowest cost (4): each cost above doubles it. */
export function workOfCost(cost: number): number {
  return 2 ** (cost - 4);
}

/**
 * How long a unit of bcrypt work takes on this machine: the cheapest of the
 * compares Rekey runs (a busy machine makes them slower, never faster), so a
 * derivation of another format, also timed at its cheapest, can be priced in
 * bcrypt work (docs/design/foreign-hashes.md). Compares below `minimumCost`
 * are too short for their fixed overhead not to skew it.
 */
export class BcryptPace {
  #millisecondsPerUnit: number | null = null;
  readonly #minimumCost: number;

  constructor(minimumCost: number) {
    this.#minimumCost = minimumCost;
  }

  get known(): boolean {
    return this.#millisecondsPerUnit !== null;
  }

  note(cost: number, milliseconds: number): void {
    if (cost < this.#minimumCost) return;
    const sample = milliseconds / workOfCost(cost);
    this.#millisecondsPerUnit = Math.min(this.#millisecondsPerUnit ?? sample, sample);
  }

  /** The bcrypt work that takes `milliseconds`. */
  unitsOf(milliseconds: number): number {
    return this.#millisecondsPerUnit === null ? 0 : milliseconds / this.#millisecondsPerUnit;
  }
}

/** Kinds of derivation remembered; past it, new kinds are not priced (imports bring a handful). */
const MAX_KINDS = 1000;

/** The cheapest run seen of each kind of derivation: a busy machine only makes runs slower. */
export class CheapestRuns {
  readonly #runs = new Map<string, { count: number; cheapest: number }>();

  /** Notes a run of `kind` that took `milliseconds`; returns its cheapest run so far and how many were seen. */
  note(kind: string, milliseconds: number): { cheapest: number; count: number } {
    const seen = this.#runs.get(kind) ?? { count: 0, cheapest: milliseconds };
    seen.count += 1;
    seen.cheapest = Math.min(seen.cheapest, milliseconds);
    if (seen.count === 1 && this.#runs.size < MAX_KINDS) this.#runs.set(kind, seen);
    return { ...seen };
  }
}
