import { open, type FileHandle } from 'node:fs/promises';
import { BreachLookupError, type BreachLookup } from './breach-lookup.ts';

/** Longest line accepted: 40 hex, a colon, a count and CRLF fit with room to spare. */
const MAX_LINE_BYTES = 96;
const NEWLINE = 0x0a;
const LINE = /^([0-9A-F]{40}):(\d{1,12})\r?$/;

interface Line {
  /** Byte offset of the line's first character. */
  start: number;
  hash: string;
  count: number;
}

/**
 * The downloadable corpus (`<40 upper-case hex SHA-1>:<count>` lines sorted by
 * hash, as the HIBP downloader writes it), searched in place: a binary search
 * over byte offsets, each step one positioned read of a few dozen bytes on a
 * handle opened once. The file (tens of GB for the full corpus) is never
 * loaded; the operating system's page cache keeps the hot steps fast.
 */
export class HashFileLookup implements BreachLookup {
  readonly description: string;
  readonly #file: FileHandle;
  readonly #size: number;
  /** Positioned reads so far, for tests and benchmarks (O(log n) per lookup). */
  reads = 0;

  private constructor(path: string, file: FileHandle, size: number) {
    this.description = `file ${path}`;
    this.#file = file;
    this.#size = size;
  }

  /** Opens the file and checks that its first and last lines are in the expected format and order. */
  static async open(path: string): Promise<HashFileLookup> {
    const file = await open(path, 'r');
    try {
      const { size } = await file.stat();
      const lookup = new HashFileLookup(path, file, size);
      const first = await lookup.#lineFrom(0);
      const last = await lookup.#lastLine();
      if (first === null || last === null || first.hash > last.hash) {
        throw new BreachLookupError('malformed', 'the file is empty or not sorted by hash');
      }
      return lookup;
    } catch (error) {
      await file.close();
      throw error;
    }
  }

  async count(sha1: string): Promise<number> {
    // f(p) = the hash of the first line starting at or after byte p; it only grows with p.
    // Find the smallest p with f(p) >= sha1: the line there holds sha1 if any line does.
    let low = 0;
    let high = this.#size;
    while (low < high) {
      const middle = Math.floor((low + high) / 2);
      const line = await this.#lineFrom(middle);
      if (line !== null && line.hash === sha1) return line.count;
      if (line === null || line.hash > sha1) high = middle;
      // Every p up to this line's start finds this same (smaller) line.
      else low = line.start + 1;
    }
    const line = await this.#lineFrom(low);
    return line !== null && line.hash === sha1 ? line.count : 0;
  }

  async close(): Promise<void> {
    await this.#file.close();
  }

  async #read(position: number, length: number): Promise<Buffer> {
    const buffer = Buffer.alloc(Math.max(0, Math.min(length, this.#size - position)));
    if (buffer.length === 0) return buffer;
    this.reads += 1;
    try {
      const { bytesRead } = await this.#file.read(buffer, 0, buffer.length, position);
      return buffer.subarray(0, bytesRead);
    } catch {
      throw new BreachLookupError('io', `${this.description} cannot be read`);
    }
  }

  /** The first line that starts at or after `position`, or null past the last one. */
  async #lineFrom(position: number): Promise<Line | null> {
    if (position >= this.#size) return null;
    // Reading from position - 1 tells whether `position` itself starts a line (the byte before it is a line break).
    const from = position === 0 ? 0 : position - 1;
    const bytes = await this.#read(from, 2 * MAX_LINE_BYTES + 1);
    let start = 0;
    if (position > 0) {
      const newline = bytes.indexOf(NEWLINE);
      if (newline === -1) {
        if (from + bytes.length >= this.#size) return null;
        throw this.#malformed(from);
      }
      start = newline + 1;
    }
    if (from + start >= this.#size) return null;
    let end = bytes.indexOf(NEWLINE, start);
    if (end === -1) {
      // Only the file's last line may lack a line break.
      if (from + bytes.length < this.#size) throw this.#malformed(from + start);
      end = bytes.length;
    }
    return this.#parse(bytes.toString('latin1', start, end), from + start);
  }

  async #lastLine(): Promise<Line | null> {
    const from = Math.max(0, this.#size - 2 * MAX_LINE_BYTES);
    const bytes = await this.#read(from, 2 * MAX_LINE_BYTES);
    let end = bytes.length;
    while (end > 0 && (bytes[end - 1] === NEWLINE || bytes[end - 1] === 0x0d)) end -= 1;
    const start = bytes.lastIndexOf(NEWLINE, end - 1) + 1;
    if (end === 0 || (start === 0 && from > 0)) return null;
    return this.#parse(bytes.toString('latin1', start, end), from + start);
  }

  #parse(text: string, start: number): Line {
    const match = LINE.exec(text);
    if (match === null) throw this.#malformed(start);
    return { start, hash: match[1] as string, count: Number(match[2]) };
  }

  #malformed(offset: number): BreachLookupError {
    return new BreachLookupError('malformed', `${this.description} has a line near byte ${offset} that is not <40 upper-case hex>:<count>`);
  }
}
