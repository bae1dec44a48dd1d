/** bcrypt's work in units of one compare at its lowest cost (4): each cost above doubles it. */
export function workOfCost(cost: number): number {
  return 2 ** (cost - 4);
}

/**
 * How long a unit of bcrypt work takes on this machine, from the compares
 * Rekey runs (a moving average), so the time a check of another format took
 * can be priced in bcrypt work and padded with decoy compares
 * (docs/design/timing-parity.md). Compares below `minimumCost` are too short
 * for their fixed overhead not to skew it.
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
    this.#millisecondsPerUnit = this.#millisecondsPerUnit === null ? sample : this.#millisecondsPerUnit * 0.9 + sample * 0.1;
  }

  /** The bcrypt work that takes `milliseconds`. */
  unitsOf(milliseconds: number): number {
    return this.#millisecondsPerUnit === null ? 0 : milliseconds / this.#millisecondsPerUnit;
  }
}

/** Kinds of derivation remembered; past it, new kinds are not priced (imports bring a handful). */
const MAX_KINDS = 1000;

/** The cheapest run seen of each kind of derivation, once seen twice: a busy machine only makes runs slower. */
export class CheapestRuns {
  readonly #runs = new Map<string, { count: number; cheapest: number }>();

  /** Notes a run of `kind` that cost `units`; returns the cheapest run of it once there are two, else null. */
  note(kind: string, units: number): number | null {
    const seen = this.#runs.get(kind);
    if (seen === undefined) {
      if (this.#runs.size < MAX_KINDS) this.#runs.set(kind, { count: 1, cheapest: units });
      return null;
    }
    seen.count += 1;
    seen.cheapest = Math.min(seen.cheapest, units);
    return seen.cheapest;
  }
}
