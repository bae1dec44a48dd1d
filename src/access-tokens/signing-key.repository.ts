import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Db } from '../db/orm.ts';
import { SigningKey } from './signing-key.entity.ts';

export interface NewSigningKey {
  kid: string;
  algorithm: string;
  publicJwk: Record<string, string>;
  sealedPrivateKey: string;
  activatesAt: Date;
}

/** Every statement on `signing_keys`. */
export class SigningKeyRepository {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** Every key with its sealed private half, oldest first. */
  all(): Promise<SigningKey[]> {
    return this.#db.find(SigningKey, {}, { orderBy: { sequence: 'asc' }, populate: ['sealedPrivateKey'] });
  }

  /**
   * Adds a key after the newest one. With `onlyIfNone`, only when the table
   * is empty: of two instances making the first key at once, one succeeds
   * and the other gets false (the unique sequence refuses it).
   */
  async add(key: NewSigningKey, { onlyIfNone = false } = {}): Promise<boolean> {
    const fork = this.#db.fork();
    const newest = await fork.findOne(SigningKey, { sequence: { $gt: 0 } }, { orderBy: { sequence: 'desc' }, fields: ['sequence'] });
    if (onlyIfNone && newest !== null) return false;
    const row = fork.create(SigningKey, { ...key, sequence: (newest?.sequence ?? 0) + 1, createdAt: new Date() });
    try {
      await fork.persist(row).flush();
      return true;
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException && onlyIfNone) return false;
      throw error;
    }
  }
}
