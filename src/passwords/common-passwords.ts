import { dictionary } from '@zxcvbn-ts/language-common';

let blocklist: ReadonlySet<string> | undefined;

/**
 * The most common passwords, lower-cased, ranked by frequency in breach
 * corpora (zxcvbn-ts's list, about 49,000 entries). Loaded on first use and
 * kept: a Set lookup is all a check costs afterwards.
 */
export function commonPasswords(): ReadonlySet<string> {
  blocklist ??= new Set(dictionary['passwords-common'].map((password) => password.toLowerCase()));
  return blocklist;
}
