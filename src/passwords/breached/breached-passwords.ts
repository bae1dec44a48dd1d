import { inSpan } from '../../observability/tracing.ts';
import { createHash } from 'node:crypto';
import type { AppLogger } from '../../observability/logging.ts';
import { WeakPasswordError } from '../weak-password-error.ts';
import { normalizePassword, type PasswordViolation } from '../password-policy.ts';
import { ServiceUnavailableError } from '../../errors/service-unavailable.ts';
import { BreachLookupError, type BreachLookup, type BreachLookupFailure } from './breach-lookup.ts';
import { HashFileLookup } from './hash-file-lookup.ts';
import { RangeApiLookup } from './range-api-lookup.ts';

export const BREACHED_VIOLATION: PasswordViolation = { rule: 'BREACHED', message: 'Password has appeared in a data breach' };

/** Plain counters the metrics endpoint can read (docs/operations/production.md). */
export interface BreachCheckCounters {
  /** Lookups started. */
  checks: number;
  /** Passwords refused as breached. */
  breached: number;
  /** Lookups that could not tell, by reason. */
  errors: Record<BreachLookupFailure, number>;
  /** Of those, requests let through (BREACHED_PASSWORDS_ON_ERROR=allow) or refused (refuse). */
  allowedOnError: number;
  refusedOnError: number;
}

/** Where new passwords are looked up among breached ones (docs/api/changing-passwords.md). */
export type BreachedPasswordSource = { kind: 'off' } | { kind: 'range-api'; baseUrl: string } | { kind: 'file'; path: string };

export type BreachCheckOnError = 'allow' | 'refuse';

export interface BreachedPasswordSettings {
  source: BreachedPasswordSource;
  timeoutMs: number;
  /** What a check that cannot be answered (timeout, outage, malformed answer) does to the request. */
  onError: BreachCheckOnError;
}

/** The corpus file of `file:` cannot be used; start-up reports it as a configuration error. */
export class BreachedCorpusError extends Error {
  override name = 'BreachedCorpusError';
}

/** The SHA-1 the corpora are keyed by: upper-case hex of the NFC password's UTF-8. */
export function breachHash(password: string): string {
  return createHash('sha1').update(normalizePassword(password), 'utf8').digest('hex').toUpperCase();
}

/**
 * The breached-password rule: a new password that appears in a breach corpus
 * is refused with the `BREACHED` violation. When the corpus cannot answer, the
 * configured failure mode decides: `allow` lets the password through with a
 * warning (the password is still held to every other rule), `refuse` answers
 * ServiceUnavailableError. Neither the password nor its full hash is ever
 * logged or sent: the lookups see the hash, and the range API only its prefix.
 */
export class BreachedPasswords {
  readonly counters: BreachCheckCounters = {
    checks: 0,
    breached: 0,
    errors: { timeout: 0, unreachable: 0, status: 0, malformed: 0, io: 0 },
    allowedOnError: 0,
    refusedOnError: 0,
  };
  readonly #lookup: BreachLookup | null;
  readonly #onError: BreachCheckOnError;
  readonly #log: AppLogger;

  constructor(lookup: BreachLookup | null, options: { onError: BreachCheckOnError; log: AppLogger }) {
    this.#lookup = lookup;
    this.#onError = options.onError;
    this.#log = options.log;
  }

  static disabled(log: AppLogger): BreachedPasswords {
    return new BreachedPasswords(null, { onError: 'allow', log });
  }

  get enabled(): boolean {
    return this.#lookup !== null;
  }

  /** Throws WeakPasswordError (BREACHED) for a breached password, ServiceUnavailableError when it cannot tell and the mode is `refuse`. */
  async enforce(password: string): Promise<void> {
    if (this.#lookup === null) return;
    this.counters.checks += 1;
    let count: number;
    try {
      const lookup = this.#lookup;
      count = await inSpan('breached-passwords lookup', {}, () => lookup.count(breachHash(password)));
    } catch (error) {
      const reason: BreachLookupFailure = error instanceof BreachLookupError ? error.reason : 'io';
      this.counters.errors[reason] += 1;
      // BreachLookupError messages carry at most the 5-character prefix; anything else is reported by name only.
      const detail = error instanceof BreachLookupError ? error.message : `unexpected ${error instanceof Error ? error.name : typeof error}`;
      if (this.#onError === 'refuse') {
        this.counters.refusedOnError += 1;
        this.#log.warn(`${detail}; the request is refused (BREACHED_PASSWORDS_ON_ERROR=refuse).`);
        throw new ServiceUnavailableError({ dependency: 'breached-passwords' });
      }
      this.counters.allowedOnError += 1;
      this.#log.warn(`${detail}; the password is accepted unchecked (BREACHED_PASSWORDS_ON_ERROR is allow).`);
      return;
    }
    if (count > 0) {
      this.counters.breached += 1;
      throw new WeakPasswordError([BREACHED_VIOLATION]);
    }
  }

  async close(): Promise<void> {
    await this.#lookup?.close();
  }
}

/** Builds the check BREACHED_PASSWORDS asks for; a `file:` corpus is opened (once) and its format checked now. */
export async function openBreachedPasswords(settings: BreachedPasswordSettings, log: AppLogger): Promise<BreachedPasswords> {
  const { source, timeoutMs, onError } = settings;
  if (source.kind === 'off') return BreachedPasswords.disabled(log);
  if (source.kind === 'range-api') {
    return new BreachedPasswords(new RangeApiLookup({ baseUrl: source.baseUrl, timeoutMs }), { onError, log });
  }
  let lookup: HashFileLookup;
  try {
    lookup = await HashFileLookup.open(source.path);
  } catch (error) {
    const why = error instanceof BreachLookupError ? 'is not a list of <40 upper-case hex SHA-1>:<count> lines sorted by hash' : 'cannot be opened';
    throw new BreachedCorpusError(`file ${source.path} ${why}`);
  }
  return new BreachedPasswords(lookup, { onError, log });
}
