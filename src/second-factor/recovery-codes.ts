import { randomInt } from 'node:crypto';

export const RECOVERY_CODE_COUNT = 10;

/** No 0/O, 1/I/L: codes are read off paper. 31 symbols, 10 of them: about 50 bits each. */
const ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
const LENGTH = 10;

/** Ten new codes, shown as `XXXXX-XXXXX`. */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const symbols = Array.from({ length: LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
    return `${symbols.slice(0, 5)}-${symbols.slice(5)}`;
  });
}

/** What is hashed: upper case, without dashes or spaces; null for anything that cannot be a recovery code. */
export function asRecoveryCode(code: string): string | null {
  const compact = code.replace(/[\s-]+/g, '').toUpperCase();
  return compact.length === LENGTH && [...compact].every((symbol) => ALPHABET.includes(symbol)) ? compact : null;
}
