import { accessSync, constants } from 'node:fs';
import { z } from 'zod';
import type { BreachedPasswordSource } from '../../passwords/breached/breached-passwords.ts';
import { PASSWORD_POLICY_NAMES } from '../../passwords/password-policy.ts';
import { Secret } from '../../secrets/secret.ts';
import { base64Bytes, duration, oneOf, wholeNumber } from '../parsers.ts';
import { defineGroup } from '../variable.ts';

/** `off`, `file:<readable path>`, or an http(s) range API base URL without query (a trailing slash is dropped). */
const breachedSource = z.string().transform((text, ctx): BreachedPasswordSource => {
  if (text === 'off') return { kind: 'off' };
  if (text.startsWith('file:')) {
    const path = text.slice('file:'.length);
    try {
      accessSync(path, constants.R_OK);
    } catch {
      ctx.addIssue({ code: 'custom', message: `file cannot be read (${path})` });
      return z.NEVER;
    }
    return { kind: 'file', path };
  }
  if (URL.canParse(text) && ['https:', 'http:'].includes(new URL(text).protocol) && !/[?#]/.test(text)) {
    return { kind: 'range-api', baseUrl: text.replace(/\/+$/, '') };
  }
  ctx.addIssue({ code: 'custom', message: 'must be off, a range API base URL (https://…, no query) or file:<path>' });
  return z.NEVER;
});

export const passwords = defineGroup('Passwords', {
  BCRYPT_COST: {
    parse: wholeNumber(4, 31),
    default: '12',
    description: 'cost of new hashes (4–31); lower-cost hashes are upgraded at sign-in',
  },
  BCRYPT_THREAD_NICE: {
    parse: wholeNumber(0, 19),
    default: '10',
    description:
      'niceness (0–19) of the libuv pool threads where bcrypt runs (Linux): requests on the event loop are scheduled first while hashing saturates the cores; `0` leaves them alone',
  },
  PASSWORD_POLICY: {
    parse: oneOf(PASSWORD_POLICY_NAMES),
    default: 'standard',
    description: '`standard` or `nist` (NIST SP 800-63B-4: 15+ characters, no composition rules)',
  },
  PASSWORD_HISTORY: {
    parse: wholeNumber(0, 24),
    default: '0',
    description: 'a new password must differ from the last N (0–24, the current one included); 0 or 1: only the current one',
  },
  BREACHED_PASSWORDS: {
    parse: breachedSource,
    default: 'off',
    description:
      '`off`, a k-anonymity range API base URL (e.g. `https://api.pwnedpasswords.com/range`), or `file:<path>` of the downloadable SHA-1 corpus',
  },
  BREACHED_PASSWORDS_TIMEOUT: {
    parse: duration(100, 60_000),
    default: '2s',
    description: 'how long a range API lookup may take (100 ms – 60 s)',
  },
  BREACHED_PASSWORDS_ON_ERROR: {
    parse: oneOf(['allow', 'refuse']),
    default: 'allow',
    description: 'when a lookup cannot answer: `allow` (warn, count, accept) or `refuse` (answer `SERVICE_UNAVAILABLE`, HTTP 503)',
  },
  FIREBASE_SCRYPT_SIGNER_KEY: {
    parse: base64Bytes(1).transform((bytes) => Secret.fromBytes(bytes)),
    unset: 'unset: hashes imported from Firebase are not verified',
    description:
      "the Firebase project's `base64_signer_key` (Authentication → Users → ⋮ → Password hash parameters): with it, hashes imported from Firebase verify and are rehashed to bcrypt at sign-in",
  },
  FIREBASE_SCRYPT_SALT_SEPARATOR: {
    parse: base64Bytes(0),
    default: 'Bw==',
    description: "the project's `base64_salt_separator`",
  },
  FIREBASE_SCRYPT_ROUNDS: { parse: wholeNumber(1, 8), default: '8', description: "the project's `rounds` (1–8)" },
  FIREBASE_SCRYPT_MEM_COST: { parse: wholeNumber(1, 14), default: '14', description: "the project's `mem_cost` (1–14)" },
});
