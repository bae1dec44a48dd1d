import { firebaseStoredHash } from '../passwords/hashing/firebase-scrypt-format.ts';
import { firstCharacter, isRecord, readCsv, readJsonArray, readJsonRecords, type SourceRecord } from './record-readers.ts';

/** What a record of an export says: an address and a stored hash, or why it cannot be imported. */
export type Candidate = { email: string; hash: string } | { email: string | null; refusal: string };

/** How one system exports its users, and how a record of it reads. */
export interface SourceFormat {
  read(path: string): Promise<AsyncIterable<SourceRecord>>;
  candidate(fields: Record<string, unknown>): Candidate;
}

const text = (value: unknown): string | null => (typeof value === 'string' && value.trim() !== '' ? value.trim() : null);
const PLAIN_TEXT = 'a plain-text password: Rekey imports only password hashes';
const NO_PASSWORD = 'no password hash (an account without a password there)';

function candidateOf(email: unknown, hash: string | null): Candidate {
  const address = text(email);
  if (address === null) return { email: null, refusal: 'no email address' };
  return hash === null ? { email: address, refusal: NO_PASSWORD } : { email: address, hash };
}

/** CSV with a header row, or JSON (an array or one object a line), by the file's first character. */
async function csvOrJson(path: string): Promise<AsyncIterable<SourceRecord>> {
  return ['[', '{'].includes(await firstCharacter(path)) ? readJsonRecords(path) : readCsv(path);
}

/** Auth0's bulk user export (NDJSON) with the `passwordHash` field Auth0 adds on request, or its import shape (`custom_password_hash`). */
const auth0: SourceFormat = {
  read: readJsonRecords,
  candidate(fields) {
    if (text(fields.password) !== null) return { email: text(fields.email), refusal: PLAIN_TEXT };
    const custom = isRecord(fields.custom_password_hash) && isRecord(fields.custom_password_hash.hash) ? fields.custom_password_hash.hash.value : null;
    return candidateOf(fields.email, text(fields.passwordHash) ?? text(custom));
  },
};

/** `firebase auth:export users.json --format=json`: `{"users": [...]}` with base64 `passwordHash` and `salt`; the project's parameters are configuration. */
const firebase: SourceFormat = {
  read: (path) => Promise.resolve(readJsonArray(path, 'users')),
  candidate(fields) {
    const hash = text(fields.passwordHash);
    const salt = text(fields.salt);
    return candidateOf(fields.email, hash !== null && salt !== null ? firebaseStoredHash(salt, hash) : null);
  },
};

/** Supabase's `auth.users` rows (CSV or JSON): `email` and the bcrypt `encrypted_password`. */
const supabase: SourceFormat = {
  read: csvOrJson,
  candidate: (fields) => candidateOf(fields.email, text(fields.encrypted_password)),
};

/** Better Auth's `user` joined with its `account` rows (CSV or JSON): `email` and the credential account's `password`. */
const betterAuth: SourceFormat = {
  read: csvOrJson,
  candidate(fields) {
    const provider = text(fields.providerId ?? fields.provider_id);
    if (provider !== null && provider !== 'credential') return { email: text(fields.email), refusal: `not a password account (provider ${provider})` };
    return candidateOf(fields.email, text(fields.password));
  },
};

/** Django's `auth_user`: `manage.py dumpdata auth.user` (JSON, the columns under `fields`) or the table as CSV. */
const django: SourceFormat = {
  read: csvOrJson,
  candidate(record) {
    const fields = isRecord(record.fields) ? record.fields : record;
    const hash = text(fields.password);
    // Django marks an account without a usable password with a leading "!".
    if (hash?.startsWith('!')) return { email: text(fields.email), refusal: 'an unusable password (set_unusable_password)' };
    return candidateOf(fields.email, hash);
  },
};

/** Anything else, as CSV: `email` and `password_hash` in any format Rekey verifies. */
const csv: SourceFormat = {
  read: (path) => Promise.resolve(readCsv(path)),
  candidate(fields) {
    if (text(fields.password) !== null) return { email: text(fields.email), refusal: PLAIN_TEXT };
    return candidateOf(fields.email, text(fields.password_hash));
  },
};

export const SOURCE_FORMATS = { auth0, firebase, supabase, 'better-auth': betterAuth, django, csv } as const;
export type SourceFormatName = keyof typeof SOURCE_FORMATS;
