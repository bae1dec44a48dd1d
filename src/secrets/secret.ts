import { inspect } from 'node:util';

/** Signing keys shorter than HMAC-SHA-256's 32-byte output weaken every token signed with them. */
export const MIN_KEY_BYTES = 32;

/**
 * Key material that must never reach a log: printing, inspecting or
 * serialising it yields a placeholder. Only `bytes` gives the value.
 */
export class Secret {
  readonly #bytes: Buffer;

  private constructor(bytes: Buffer) {
    this.#bytes = bytes;
  }

  static fromText(text: string): Secret {
    return new Secret(Buffer.from(text, 'utf8'));
  }

  static fromBytes(bytes: Buffer): Secret {
    return new Secret(Buffer.from(bytes));
  }

  get byteLength(): number {
    return this.#bytes.byteLength;
  }

  get bytes(): Buffer {
    return this.#bytes;
  }

  toString(): string {
    return '[secret]';
  }

  toJSON(): string {
    return '[secret]';
  }

  [inspect.custom](): string {
    return '[secret]';
  }
}
