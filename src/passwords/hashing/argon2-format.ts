import { checkForeign, type ForeignRunner } from './foreign-check.ts';
import type { HashFormat, PasswordMatch } from './hash-format.ts';
import { HASH_LIMITS } from './hash-limits.ts';
import { parsePhc } from './phc-string.ts';

const ARGON2 = /^\$argon2(id|i)\$/;

/** argon2id and argon2i PHC strings, verified by the reference implementation's bindings (the `argon2` package). */
export class Argon2Format implements HashFormat {
  readonly name = 'argon2';
  readonly redactionPattern = /\$argon2(?:id|i|d)\$[^\s"'`]+/g;
  readonly #runner: ForeignRunner;

  constructor(runner: ForeignRunner) {
    this.#runner = runner;
  }

  reads(stored: string): boolean {
    return ARGON2.test(stored) && parsePhc(stored) !== null;
  }

  refusal(stored: string): string | null {
    const phc = parsePhc(stored);
    if (phc === null) return 'not an argon2 PHC string';
    const [m, t, p] = ['m', 't', 'p'].map((name) => phc.params.get(name) ?? Number.NaN) as [number, number, number];
    if (phc.version !== null && phc.version !== 19 && phc.version !== 16) return 'unknown argon2 version';
    if (!(m >= 8 * p && m <= HASH_LIMITS.argon2MemoryKiB)) return `argon2 memory out of range (at most ${HASH_LIMITS.argon2MemoryKiB} KiB)`;
    if (!(t >= 1 && t <= HASH_LIMITS.argon2TimeCost)) return `argon2 time cost out of range (at most ${HASH_LIMITS.argon2TimeCost})`;
    if (!(p >= 1 && p <= HASH_LIMITS.argon2Parallelism)) return `argon2 parallelism out of range (at most ${HASH_LIMITS.argon2Parallelism})`;
    if (phc.hash.length < 4 || phc.hash.length > HASH_LIMITS.derivedKeyBytes) return 'argon2 hash length out of range';
    return null;
  }

  async verify(password: string, stored: string, _hashOfNormalized: boolean, { priced } = { priced: true }): Promise<PasswordMatch> {
    // The native bindings load with the first argon2 hash met, not with every server: most never meet one.
    // Outside `derives`, whose failures read as "no match": bindings that cannot load must fail loudly.
    const { default: argon2 } = await import('argon2');
    return checkForeign({
      runner: this.#runner,
      password,
      priced,
      work: stored.split('$').slice(0, 4).join('$'),
      refusal: this.refusal(stored),
      derives: (candidate) => argon2.verify(stored, candidate),
    });
  }

  needsRehash(): boolean {
    return true;
  }
}
