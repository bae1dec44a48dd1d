/** Why a lookup could not tell whether a hash is breached. */
export type BreachLookupFailure = 'timeout' | 'unreachable' | 'status' | 'malformed' | 'io';

export class BreachLookupError extends Error {
  override name = 'BreachLookupError';
  readonly reason: BreachLookupFailure;

  /** `detail` must never contain the password or its full hash: it is logged. */
  constructor(reason: BreachLookupFailure, detail: string) {
    super(`Breached-password lookup failed (${reason}): ${detail}`);
    this.reason = reason;
  }
}

/** A corpus of breached SHA-1 hashes: the range API or a local file. */
export interface BreachLookup {
  /** A short description for logs (no secret). */
  readonly description: string;
  /**
   * How often the SHA-1 (40 upper-case hex characters) appears in the corpus;
   * 0 when it does not. Throws BreachLookupError when it cannot tell.
   */
  count(sha1: string): Promise<number>;
  close(): Promise<void>;
}

/** `<35 hex>:<count>` as the range API answers, and (with 40 hex) as the downloadable corpus is written. */
export const HEX_UPPER = /^[0-9A-F]+$/;
