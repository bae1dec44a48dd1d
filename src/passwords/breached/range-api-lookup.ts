import { BreachLookupError, type BreachLookup } from './breach-lookup.ts';
import { PrefixCache } from './prefix-cache.ts';

export interface RangeApiOptions {
  /** The range API's base URL; `<base>/<5 hex>` is requested (e.g. https://api.pwnedpasswords.com/range). */
  baseUrl: string;
  timeoutMs: number;
  /** Prefixes kept (about 30 kB each). */
  cacheSize?: number;
  cacheTtlMs?: number;
}

/** Real answers are about 30-40 kB with padding; anything this large is not one. */
const MAX_BODY_BYTES = 1_048_576;
const LINE = /^([0-9A-Fa-f]{35}):(\d{1,12})$/;

/**
 * The k-anonymity range API (docs/api/changing-passwords.md): only the first five
 * hex characters of the SHA-1 leave the server, with `Add-Padding: true` so
 * the answer's size does not tell which prefix was asked either. The answer
 * is parsed strictly: one malformed line makes the whole answer an error,
 * never a silent "not breached". Padding entries (count 0) are dropped.
 */
export class RangeApiLookup implements BreachLookup {
  readonly description: string;
  readonly #baseUrl: string;
  readonly #timeoutMs: number;
  /** Per prefix: its breached suffixes as `\n<SUFFIX>:<count>` lines, one compact string. */
  readonly #cache: PrefixCache<string>;
  /** Concurrent checks of one prefix share one request. */
  readonly #inFlight = new Map<string, Promise<string>>();

  constructor({ baseUrl, timeoutMs, cacheSize = 128, cacheTtlMs = 3_600_000 }: RangeApiOptions) {
    this.#baseUrl = baseUrl.replace(/\/+$/, '');
    this.#timeoutMs = timeoutMs;
    this.#cache = new PrefixCache(cacheSize, cacheTtlMs);
    this.description = `range API at ${new URL(this.#baseUrl).origin}`;
  }

  async count(sha1: string): Promise<number> {
    const prefix = sha1.slice(0, 5);
    const entries = await this.#range(prefix);
    const key = `\n${sha1.slice(5)}:`;
    const at = entries.indexOf(key);
    if (at === -1) return 0;
    const end = entries.indexOf('\n', at + key.length);
    return Number(entries.slice(at + key.length, end === -1 ? undefined : end));
  }

  async close(): Promise<void> {
    // Nothing held open: fetch's connections are pooled by Node and closed when idle.
  }

  #range(prefix: string): Promise<string> {
    const cached = this.#cache.get(prefix);
    if (cached !== undefined) return Promise.resolve(cached);
    let pending = this.#inFlight.get(prefix);
    if (pending === undefined) {
      pending = this.#fetchRange(prefix).then(
        (entries) => {
          this.#cache.set(prefix, entries);
          return entries;
        },
      );
      const settled = () => this.#inFlight.delete(prefix);
      pending.then(settled, settled);
      this.#inFlight.set(prefix, pending);
    }
    return pending;
  }

  async #fetchRange(prefix: string): Promise<string> {
    let text: string;
    try {
      const response = await fetch(`${this.#baseUrl}/${prefix}`, {
        headers: { 'add-padding': 'true', accept: 'text/plain', 'user-agent': 'rekey' },
        // A redirect could lead anywhere; a range API that moved is a configuration to fix.
        redirect: 'error',
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      if (response.status !== 200) {
        await response.body?.cancel();
        throw new BreachLookupError('status', `HTTP ${response.status} for prefix ${prefix}`);
      }
      text = await readBounded(response);
    } catch (error) {
      if (error instanceof BreachLookupError) throw error;
      // Not `instanceof Error`: fetch's abort reason is a DOMException, which may come from another realm.
      const name = typeof error === 'object' && error !== null && 'name' in error ? error.name : undefined;
      if (name === 'TimeoutError' || name === 'AbortError') {
        throw new BreachLookupError('timeout', `no answer within ${this.#timeoutMs} ms for prefix ${prefix}`);
      }
      throw new BreachLookupError('unreachable', `${this.description} cannot be reached for prefix ${prefix}`);
    }
    return parseRange(text, prefix);
  }
}

async function readBounded(response: Response): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (declared > MAX_BODY_BYTES) {
    await response.body?.cancel();
    throw new BreachLookupError('malformed', `answer of ${declared} bytes is larger than ${MAX_BODY_BYTES}`);
  }
  if (response.body === null) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    if (size > MAX_BODY_BYTES) {
      await response.body.cancel().catch(() => undefined);
      throw new BreachLookupError('malformed', `answer larger than ${MAX_BODY_BYTES} bytes`);
    }
    chunks.push(chunk);
  }
  return new TextDecoder('utf-8', { fatal: false }).decode(Buffer.concat(chunks));
}

/** `<35 hex>:<count>` lines (CRLF or LF, an optional final line break) → the breached ones as `\n<SUFFIX>:<count>`. */
export function parseRange(text: string, prefix: string): string {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  let entries = '';
  for (const [index, raw] of lines.entries()) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const match = LINE.exec(line);
    if (match === null) throw new BreachLookupError('malformed', `line ${index + 1} of the answer for prefix ${prefix} is not <35 hex>:<count>`);
    const [, suffix, count] = match as unknown as [string, string, string];
    if (Number(count) > 0) entries += `\n${suffix.toUpperCase()}:${count}`;
  }
  return entries;
}
