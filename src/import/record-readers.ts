import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { compose } from 'node:stream';
import { parse as csvParser } from 'csv-parse';
import pick from 'stream-json/filters/pick.js';
import parser from 'stream-json/parser.js';
import streamArray from 'stream-json/streamers/stream-array.js';

/** One record of an export: its position (1-based, data rows only) and its fields, or why it could not be read. */
export type SourceRecord = { row: number; fields: Record<string, unknown> } | { row: number; unreadable: string };

/**
 * Readers that stream an export one record at a time, so a file of any size
 * is never held in memory whole: CSV with a header row (csv-parse),
 * newline-delimited JSON, and a JSON array, at the top or under a key
 * (stream-json).
 */
export async function* readCsv(path: string): AsyncGenerator<SourceRecord> {
  let row = 0;
  for await (const fields of createReadStream(path).pipe(csvParser({ columns: true, bom: true, skip_empty_lines: true, trim: true }))) {
    row += 1;
    yield { row, fields: fields as Record<string, unknown> };
  }
}

export async function* readNdjson(path: string): AsyncGenerator<SourceRecord> {
  let row = 0;
  for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY })) {
    if (line.trim() === '') continue;
    row += 1;
    yield parseObject(row, line);
  }
}

/** The elements of a JSON array: the whole document's, or the one under `key` (Firebase's `{"users": [...]}`). */
export async function* readJsonArray(path: string, key?: string): AsyncGenerator<SourceRecord> {
  const tokens = compose(createReadStream(path), parser.asStream());
  const items = compose(key ? compose(tokens, pick.asStream({ filter: key })) : tokens, streamArray.asStream());
  let row = 0;
  for await (const item of items) {
    row += 1;
    const value = (item as { value: unknown }).value;
    yield isRecord(value) ? { row, fields: value } : { row, unreadable: 'not a JSON object' };
  }
}

/** The first character that is not white space (or a byte-order mark): `[` a JSON array, `{` an object or NDJSON. */
export async function firstCharacter(path: string): Promise<string> {
  const file = await open(path);
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(4096), 0, 4096, 0);
    return /[^\s\uFEFF]/.exec(buffer.subarray(0, bytesRead).toString('utf8'))?.[0] ?? '';
  } finally {
    await file.close();
  }
}

/** A JSON array at the top, else one JSON object a line. */
export async function readJsonRecords(path: string): Promise<AsyncGenerator<SourceRecord>> {
  return (await firstCharacter(path)) === '[' ? readJsonArray(path) : readNdjson(path);
}

function parseObject(row: number, line: string): SourceRecord {
  try {
    const value: unknown = JSON.parse(line);
    return isRecord(value) ? { row, fields: value } : { row, unreadable: 'not a JSON object' };
  } catch {
    return { row, unreadable: 'not valid JSON' };
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
