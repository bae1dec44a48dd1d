import { checkForeign, type ForeignRunner } from './foreign-check.ts';
import type { HashFormat, PasswordMatch } from './hash-format.ts';
import { scryptRefusal } from './hash-limits.ts';
import { parsePhc, type PhcString } from './phc-string.ts';
import { sameKey, scryptKey, type ScryptParameters } from './scrypt-key.ts';

/** scrypt PHC strings as passlib and others write them: `$scrypt$ln=<log2 N>,r=…,p=…$salt$hash` (base64). */
export class ScryptFormat implements HashFormat {
  readonly name = 'scrypt';
  readonly redactionPattern = /\$scrypt\$[^\s"'`]+/g;
  readonly #runner: ForeignRunner;

  constructor(runner: ForeignRunner) {
    this.#runner = runner;
  }

  reads(stored: string): boolean {
    return stored.startsWith('$scrypt$') && parsePhc(stored) !== null;
  }

  refusal(stored: string): string | null {
    const phc = parsePhc(stored);
    if (phc === null) return 'not a scrypt PHC string';
    const parameters = parametersOf(phc);
    if (parameters === null) return 'scrypt parameters ln, r and p are required';
    return scryptRefusal(parameters.n, parameters.r, parameters.p, phc.hash.length);
  }

  verify(password: string, stored: string, _hashOfNormalized: boolean, { priced } = { priced: true }): Promise<PasswordMatch> {
    const refusal = this.refusal(stored);
    const phc = parsePhc(stored);
    const parameters = phc && parametersOf(phc);
    return checkForeign({
      runner: this.#runner,
      password,
      priced,
      work: stored.split('$').slice(0, 3).join('$'),
      refusal: refusal ?? (phc && parameters ? null : 'unreadable'),
      derives: async (candidate) => phc !== null && parameters !== null && sameKey(await scryptKey(candidate, phc.salt, phc.hash.length, parameters), phc.hash),
    });
  }

  needsRehash(): boolean {
    return true;
  }
}

function parametersOf(phc: PhcString): ScryptParameters | null {
  const ln = phc.params.get('ln');
  const r = phc.params.get('r');
  const p = phc.params.get('p');
  if (ln === undefined || r === undefined || p === undefined || ln < 1 || ln > 40) return null;
  return { n: 2 ** ln, r, p };
}
