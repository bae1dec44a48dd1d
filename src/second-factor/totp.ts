import { Secret as OtpSecret, TOTP } from 'otpauth';

/** RFC 6238 as authenticator apps expect it: SHA-1, 6 digits, 30-second steps. */
const PERIOD = 30;
const DIGITS = 6;
/** One step either side, for clocks a little off. */
const WINDOW = 1;

const totpFor = (base32: string, label = '', issuer = '') =>
  new TOTP({ issuer, label, secret: OtpSecret.fromBase32(base32), algorithm: 'SHA1', digits: DIGITS, period: PERIOD });

/** A new 160-bit secret (RFC 4226's recommended length), base32 as apps take it. */
export function newTotpSecret(): string {
  return new OtpSecret({ size: 20 }).base32;
}

/** The `otpauth://totp/…` URI an authenticator app scans. */
export function totpUri(base32: string, accountName: string, issuer: string): string {
  return totpFor(base32, accountName, issuer).toString();
}

/** A code shaped like an authenticator's (six digits, spaces allowed), without the spaces; null otherwise. */
export function asTotpCode(code: string): string | null {
  const digits = code.replace(/\s+/g, '');
  return /^\d{6}$/.test(digits) ? digits : null;
}

/** The time step `code` belongs to, within one step of `now`; null when it matches none. */
export function totpStepOf(base32: string, code: string, now: number): number | null {
  const totp = totpFor(base32);
  const delta = totp.validate({ token: code, timestamp: now, window: WINDOW });
  return delta === null ? null : totp.counter({ timestamp: now }) + delta;
}
