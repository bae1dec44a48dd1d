import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { MIN_KEY_BYTES, Secret } from '../secrets/secret.ts';

// Each parser reads one environment value (a string) into its typed form; a refusal's
// message completes "Invalid configuration: <VARIABLE> …" in one line.

const DURATION = /^(\d+)\s*(ms|s|m|h|d)?$/;
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
export const DAY_MS = UNIT_MS.d;

/** Parses `90`, `90s`, `15m`, `1h`, `7d` (a bare number is seconds). */
export function parseDurationMs(text: string): number | null {
  const match = DURATION.exec(text.trim());
  if (!match) return null;
  const unit = (match[2] ?? 's') as keyof typeof UNIT_MS;
  return Number(match[1]) * UNIT_MS[unit];
}

export const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], { error: 'must be true or false' })
  .transform((value) => ['true', '1', 'yes', 'on'].includes(value));

export const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(min, `must be from ${min} to ${max}`).max(max, `must be from ${min} to ${max}`));

/** A duration in milliseconds, from `min` to `max` ms. */
export const duration = (min: number, max: number) =>
  z.string().transform((text, ctx) => {
    const value = parseDurationMs(text);
    if (value === null || value < min || value > max) {
      ctx.addIssue({ code: 'custom', message: `must be a duration such as 30s, 15m or 1h (${min / 1000}s to ${max / 1000}s)` });
      return z.NEVER;
    }
    return value;
  });

export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `must be ${values.slice(0, -1).join(', ')}${values.length > 1 ? ' or ' : ''}${values.at(-1)}` });

export const url = (protocols: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
  );

/** A link template for an email: an http(s) URL with `{token}` where the token goes. */
export const linkTemplate = url(['http:', 'https:']).refine((value) => value.includes('{token}'), 'must contain {token}');

/** The one check for signing keys read from the environment. */
export const secret = z.string().transform((value, ctx) => {
  const key = Secret.fromText(value);
  if (key.byteLength < MIN_KEY_BYTES) {
    ctx.addIssue({ code: 'custom', message: `must be at least ${MIN_KEY_BYTES} bytes` });
    return z.NEVER;
  }
  return key;
});

/** Standard base64 (as Firebase prints its hash parameters), at least `minBytes` once decoded. */
export const base64Bytes = (minBytes: number) =>
  z.string().transform((value, ctx) => {
    const bytes = Buffer.from(value, 'base64');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value) || bytes.length < minBytes) {
      ctx.addIssue({ code: 'custom', message: `must be base64 of at least ${minBytes} byte(s)` });
      return z.NEVER;
    }
    return bytes;
  });

/** A file holding a secret (one line; surrounding whitespace is dropped), checked as `secret`. */
export const secretFile = z
  .string()
  .transform((path, ctx) => {
    try {
      return readFileSync(path, 'utf8').trim();
    } catch {
      ctx.addIssue({ code: 'custom', message: `cannot be read (${path})` });
      return z.NEVER;
    }
  })
  .pipe(secret);
