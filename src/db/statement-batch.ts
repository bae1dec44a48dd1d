import { isEmbedded } from './embedded-driver.ts';
import type { Db } from './orm.ts';
import { perConnection } from './per-connection.ts';

interface Waiting<I, O> {
  input: I;
  resolve: (output: O) => void;
  reject: (error: unknown) => void;
}

/**
 * Runs the calls that arrive while one statement is in flight together, as
 * the next statement (group commit). For embedded PGlite, which executes one
 * statement at a time on the event loop: a call there waits for the ones
 * before it anyway, and each statement pays a fixed toll (the wire protocol
 * in JavaScript, the executor's start and end) that a batch pays once.
 *
 * A batch starts on the event loop's next turn (`setImmediate`), so the
 * requests whose bytes arrived in the same turn join it; one batch runs at a
 * time. Inputs with the same `key` never share a batch (the later one waits
 * for the next): a batch statement sees the table as it was before the
 * batch, so two calls on one row must not be judged against the same
 * snapshot. If `run` fails, every call of its batch fails with that error.
 */
export class StatementBatch<I, O> {
  readonly #run: (inputs: I[]) => Promise<O[]>;
  readonly #key: (input: I) => string;
  readonly #maxSize: number;
  #pending: Waiting<I, O>[] = [];
  #scheduled = false;
  #running = false;

  constructor(options: { run: (inputs: I[]) => Promise<O[]>; key: (input: I) => string; maxSize: number }) {
    this.#run = options.run;
    this.#key = options.key;
    this.#maxSize = options.maxSize;
  }

  submit(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.#pending.push({ input, resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled || this.#running || this.#pending.length === 0) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    const batch = this.#take();
    this.#running = true;
    try {
      const outputs = await this.#run(batch.map((waiting) => waiting.input));
      if (outputs.length !== batch.length) throw new Error(`A batch of ${batch.length} returned ${outputs.length} results`);
      for (const [index, waiting] of batch.entries()) waiting.resolve(outputs[index] as O);
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
    } finally {
      this.#running = false;
      this.#schedule();
    }
  }

  /** The oldest pending calls, up to the size limit, no two with one key. */
  #take(): Waiting<I, O>[] {
    const batch: Waiting<I, O>[] = [];
    const keys = new Set<string>();
    const later: Waiting<I, O>[] = [];
    for (const waiting of this.#pending) {
      const key = this.#key(waiting.input);
      if (batch.length < this.#maxSize && !keys.has(key)) {
        keys.add(key);
        batch.push(waiting);
      } else {
        later.push(waiting);
      }
    }
    this.#pending = later;
    return batch;
  }
}

/** Per database connection: its batches, by name. */
const batchesByConnection = new WeakMap<object, Map<string, StatementBatch<never, unknown>>>();

/**
 * The batch called `name` on `db`'s connection, made by `create` on first
 * use; null where statements are not batched: on PostgreSQL (a pool runs
 * them side by side) and inside a transaction (a batch runs outside it).
 */
export function statementBatch<I, O>(db: Db, name: string, create: () => StatementBatch<I, O>): StatementBatch<I, O> | null {
  if (!isEmbedded(db.getDriver()) || db.isInTransaction()) return null;
  const batches = perConnection(batchesByConnection, db, () => new Map());
  let batch = batches.get(name) as StatementBatch<I, O> | undefined;
  if (batch === undefined) {
    batch = create();
    batches.set(name, batch as unknown as StatementBatch<never, unknown>);
  }
  return batch;
}
