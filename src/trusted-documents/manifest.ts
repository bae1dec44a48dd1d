import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** The id of a document: the hex SHA-256 of its exact text (UTF-8), as GraphQL-over-HTTP's `sha256:` ids use. */
export function documentHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

const HASH = /^[0-9a-f]{64}$/;

/**
 * The trusted-documents manifest (`schema/trusted-documents.json`, written by
 * `npm run codegen`): a JSON object from each document's hash to its text.
 * Read once at start; every entry is checked, so a hand-edited or truncated
 * manifest stops the start instead of refusing the one client it broke.
 */
export class TrustedDocuments {
  private readonly byHash: ReadonlyMap<string, string>;

  private constructor(byHash: ReadonlyMap<string, string>) {
    this.byHash = byHash;
  }

  /** Throws an Error saying what is wrong with the text (never quoting a document). */
  static parse(json: string): TrustedDocuments {
    let raw: unknown;
    try {
      raw = JSON.parse(json);
    } catch {
      throw new Error('is not JSON');
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('is not a JSON object of hash → document');
    const byHash = new Map<string, string>();
    for (const [hash, text] of Object.entries(raw)) {
      if (!HASH.test(hash)) throw new Error(`has a key that is not a lower-case hex SHA-256: "${hash.slice(0, 80)}"`);
      if (typeof text !== 'string' || documentHash(text) !== hash) throw new Error(`has a document that does not hash to its key ${hash}`);
      byHash.set(hash, text);
    }
    if (byHash.size === 0) throw new Error('holds no document');
    return new TrustedDocuments(byHash);
  }

  static read(path: string): TrustedDocuments {
    let json: string;
    try {
      json = readFileSync(path, 'utf8');
    } catch (error) {
      throw new Error(`cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    return TrustedDocuments.parse(json);
  }

  get size(): number {
    return this.byHash.size;
  }

  /** The text of a document id (`<hex>` or `sha256:<hex>`), or null when it is not in the manifest. */
  textOf(documentId: string): string | null {
    const hash = documentId.startsWith('sha256:') ? documentId.slice('sha256:'.length) : documentId;
    return this.byHash.get(hash) ?? null;
  }

  /** The id of an exact document text, or null when that text is not in the manifest. */
  idOf(text: string): string | null {
    const hash = documentHash(text);
    return this.byHash.has(hash) ? hash : null;
  }
}
