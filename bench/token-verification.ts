// What a verified token's check costs in-process, per algorithm: the signature
// and claims check `me` runs before its one session read. The key lookup is a
// Map read (KeyRing.published is synchronous: no I/O).
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Secret } from '../src/secrets/secret.ts';
import { HmacTokenKeys } from '../src/access-tokens/hmac-token-keys.ts';
import { SessionTokens } from '../src/access-tokens/session-tokens.ts';
import type { TokenKeys } from '../src/access-tokens/token-keys.ts';

/** One P-256 key pair, as the key ring holds the active one. */
function es256Keys(): TokenKeys {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = 'bench-key';
  const held = new Map([[kid, publicKey]]);
  return {
    signing: () => ({ algorithm: 'ES256', kid, key: privateKey }),
    verifying: (alg, candidate) => {
      const key = alg === 'ES256' && candidate !== undefined ? held.get(candidate) : undefined;
      return key ? { algorithm: 'ES256', key } : null;
    },
  };
}

/** Microseconds per check of a token seen for the first time, and of one seen before (kept verified until its exp). */
function microsecondsPerVerify(keys: TokenKeys, count: number): { first: number; again: number } {
  const tokens = new SessionTokens({ keys, ttlSeconds: 900, issuer: 'rekey', audience: 'rekey' });
  const issued = Array.from({ length: count }, () => tokens.issue({ userId: 1, sessionId: randomUUID(), generation: 0 }).token);
  const timed = () => {
    const started = performance.now();
    for (const token of issued) if (tokens.verify(token) === null) throw new Error('a valid token was refused');
    return ((performance.now() - started) * 1000) / count;
  };
  return { first: timed(), again: timed() };
}

export interface TokenVerification {
  es256Microseconds: number;
  hs256Microseconds: number;
  /** How many times an HS256 check one ES256 check costs. */
  es256ToHs256: number;
  /** A token checked before (the usual case: a client sends the same token for its whole life). */
  es256AgainMicroseconds: number;
}

export function measureTokenVerification(quick: boolean): TokenVerification {
  const count = quick ? 300 : 5_000;
  const hs256 = microsecondsPerVerify(new HmacTokenKeys(Secret.fromText('bench-secret-that-is-at-least-32-bytes-long')), count);
  const es256 = microsecondsPerVerify(es256Keys(), count);
  const round = (value: number) => Math.round(value * 10) / 10;
  return {
    es256Microseconds: round(es256.first),
    hs256Microseconds: round(hs256.first),
    es256ToHs256: round(es256.first / hs256.first),
    es256AgainMicroseconds: round(es256.again),
  };
}
