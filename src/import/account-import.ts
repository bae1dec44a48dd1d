import type { Db } from '../db/orm.ts';
import { SecurityEventRepository } from '../events/security-event-repository.ts';
import type { PasswordHasher } from '../passwords/hashing/password-hasher.ts';
import { normalizeEmail } from '../users/normalize-email.ts';
import { UserRepository } from '../users/user.repository.ts';
import type { SourceRecord } from './record-readers.ts';
import type { SourceFormat } from './source-formats.ts';

export type RowOutcome =
  | { row: number; email: string; outcome: 'imported' | 'existing'; format: string }
  | { row: number; email: string | null; outcome: 'refused'; reason: string };

export interface ImportSummary {
  rows: number;
  imported: number;
  existing: number;
  refused: number;
  dryRun: boolean;
}

/** Rows written per statement and transaction: few round trips, and a failure loses at most one batch (a re-run finishes it). */
const BATCH = 1000;
const EMAIL = /^[^\s@]+@[^\s@]+$/;

type Accepted = { row: number; email: string; hash: string; format: string };

/**
 * Brings accounts from an export: each record's address lower-cased (two
 * that then collide: the later one is refused, naming the first), its hash
 * kept as it is if a format reads it within the limits (never a plain-text
 * password), an address that has an account skipped; each imported account
 * records ACCOUNT_IMPORTED in its batch's transaction. Safe to run twice:
 * the second run finds every account existing. `dryRun` writes nothing.
 */
export class AccountImport {
  readonly #db: Db;
  readonly #hasher: PasswordHasher;
  readonly #dryRun: boolean;
  /** Each lower-cased address seen, and its row: the only state that grows with the file. */
  readonly #seen = new Map<string, number>();
  readonly summary: ImportSummary;

  constructor(db: Db, hasher: PasswordHasher, { dryRun }: { dryRun: boolean }) {
    this.#db = db;
    this.#hasher = hasher;
    this.#dryRun = dryRun;
    this.summary = { rows: 0, imported: 0, existing: 0, refused: 0, dryRun };
  }

  /** Reads `records` of `format`, yielding each batch's outcomes in row order as it is written. */
  async *run(records: AsyncIterable<SourceRecord>, format: SourceFormat): AsyncGenerator<RowOutcome[]> {
    let pending: (Accepted | RowOutcome)[] = [];
    for await (const record of records) {
      pending.push(this.#check(record, format));
      if (pending.length >= BATCH) {
        yield await this.#write(pending);
        pending = [];
      }
    }
    if (pending.length > 0) yield await this.#write(pending);
  }

  #check(record: SourceRecord, format: SourceFormat): Accepted | RowOutcome {
    const { row } = record;
    if ('unreadable' in record) return { row, email: null, outcome: 'refused', reason: record.unreadable };
    const candidate = format.candidate(record.fields);
    const email = candidate.email === null ? null : normalizeEmail(candidate.email);
    if ('refusal' in candidate) return { row, email, outcome: 'refused', reason: candidate.refusal };
    if (email === null || email.length > 254 || !EMAIL.test(email)) return { row, email, outcome: 'refused', reason: 'not an email address' };
    const first = this.#seen.get(email);
    if (first !== undefined) return { row, email, outcome: 'refused', reason: `the same address as row ${first} once lower-cased` };
    this.#seen.set(email, row);
    const described = this.#hasher.describe(candidate.hash);
    if (described === null) return { row, email, outcome: 'refused', reason: 'not a password hash Rekey verifies (plain-text passwords are never imported)' };
    if (described.refusal !== null) return { row, email, outcome: 'refused', reason: described.refusal };
    if (candidate.hash.length > 255) return { row, email, outcome: 'refused', reason: 'the hash is longer than 255 characters' };
    return { row, email, hash: candidate.hash, format: described.format };
  }

  async #write(batch: (Accepted | RowOutcome)[]): Promise<RowOutcome[]> {
    const accepted = batch.filter((item): item is Accepted => !('outcome' in item));
    const inserted = await this.#insert(accepted);
    const outcomes = batch.map((item): RowOutcome => {
      if ('outcome' in item) return item;
      return { row: item.row, email: item.email, outcome: inserted.has(item.email) ? 'imported' : 'existing', format: item.format };
    });
    for (const outcome of outcomes) {
      this.summary.rows += 1;
      this.summary[outcome.outcome] += 1;
    }
    return outcomes;
  }

  /** The addresses of `accepted` that are (or, in a dry run, would be) new accounts. */
  async #insert(accepted: Accepted[]): Promise<Set<string>> {
    if (this.#dryRun) {
      const existing = await new UserRepository(this.#db.fork()).existingEmails(accepted.map((item) => item.email));
      return new Set(accepted.map((item) => item.email).filter((email) => !existing.has(email)));
    }
    return this.#db.fork().transactional(async (tx) => {
      const inserted = await new UserRepository(tx).importMany(accepted);
      await new SecurityEventRepository(tx).insertForEach(
        inserted.map((account) => account.id),
        'ACCOUNT_IMPORTED',
      );
      return new Set(inserted.map((account) => account.email));
    });
  }
}
