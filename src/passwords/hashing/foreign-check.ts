import { normalizePassword } from '../password-policy.ts';
import type { PasswordMatch } from './hash-format.ts';

/** What a format of another system runs through PasswordHasher: the padding of its mismatches in bcrypt work. */
export interface ForeignRunner {
  /**
   * After a mismatch that took `milliseconds` over `tries` derivations:
   * prices that in bcrypt work (raising the price of every wrong password
   * when one try costs more than it) and pads to the price.
   */
  padForeignMismatch(password: string, spent: { milliseconds: number; tries: number; work: string }): Promise<void>;
}

export interface ForeignCheck {
  runner: ForeignRunner;
  password: string;
  priced: boolean;
  /** Names what decides a derivation's cost (the format and its parameters), so the price follows each kind's cheapest run. */
  work: string;
  /** Null, or why the stored hash is not run (hostile parameters): a mismatch at the price of one. */
  refusal: string | null;
  /** Whether a candidate (the password as typed, or its NFC form) derives the stored hash. */
  derives(candidate: string): Promise<boolean>;
}

/**
 * A check on a hash made by another system. Those systems hash what was
 * typed, so the raw form is tried first and the NFC form only when it
 * differs; a mismatch is padded to what a wrong password on the slowest
 * stored hash costs, from the time the derivations took
 * (docs/design/timing-parity.md).
 */
export async function checkForeign(check: ForeignCheck): Promise<PasswordMatch> {
  // A stored value the library cannot parse after all is a mismatch, never a failed request.
  const derives = (candidate: string) => check.derives(candidate).catch(() => false);
  const started = performance.now();
  const normalized = normalizePassword(check.password);
  let tries = 0;
  if (check.refusal === null) {
    tries += 1;
    if (await derives(check.password)) return normalized === check.password ? 'match' : 'unnormalized-match';
    if (normalized !== check.password) {
      tries += 1;
      if (await derives(normalized)) return 'match';
    }
  }
  if (check.priced) await check.runner.padForeignMismatch(check.password, { milliseconds: performance.now() - started, tries, work: check.work });
  return 'mismatch';
}

/** Standard or unpadded base64, and passlib's variant with `.` for `+`; null when it is none of them. */
export function decodeBase64(text: string): Buffer | null {
  if (!/^[A-Za-z0-9+/.]*={0,2}$/.test(text)) return null;
  return Buffer.from(text.replaceAll('.', '+'), 'base64');
}
