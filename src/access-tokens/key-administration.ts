import type { Db } from '../db/orm.ts';
import type { KeyEncryption } from './key-encryption.ts';
import { generateSigningKey } from './key-generation.ts';
import { keyRefreshIntervalMs, keyStates, type KeyStatus } from './key-schedule.ts';
import type { SigningKey } from './signing-key.entity.ts';
import { SigningKeyRepository } from './signing-key.repository.ts';

export interface KeyAdministrationSettings {
  tokenTtlMs: number;
  activationDelayMs: number;
}

/** A rotation asked for while the previous one's key is still waiting to sign. */
export class RotationPendingError extends Error {
  constructor(kid: string, activatesAt: Date) {
    super(`Key ${kid} is already published and starts signing at ${activatesAt.toISOString()}; rotate again after that.`);
    this.name = 'RotationPendingError';
  }
}

export interface Rotation {
  kid: string;
  activatesAt: Date;
  /** The key it replaces (null when it is the first). */
  replaces: string | null;
}

/** `keys list|rotate` for operators (the admin CLI): the same schedule the instances follow. */
export class KeyAdministration {
  readonly #keys: SigningKeyRepository;
  readonly #encryption: KeyEncryption;
  readonly #settings: KeyAdministrationSettings;

  constructor(db: Db, encryption: KeyEncryption, settings: KeyAdministrationSettings) {
    this.#keys = new SigningKeyRepository(db);
    this.#encryption = encryption;
    this.#settings = settings;
  }

  async list(now = Date.now()): Promise<KeyStatus<SigningKey>[]> {
    const refreshMs = keyRefreshIntervalMs(this.#settings.activationDelayMs);
    return keyStates(await this.#keys.all(), now, { tokenTtlMs: this.#settings.tokenTtlMs, refreshMs });
  }

  /**
   * Publishes a new key now; instances sign with it once JWT_KEY_ACTIVATION_DELAY
   * has passed (every cache of the key set has it by then). The key it
   * replaces stays published until the last token it signed has expired.
   * With no key yet, the new one signs at once.
   */
  async rotate(now = Date.now()): Promise<Rotation> {
    const states = await this.list(now);
    const pending = states.find((status) => status.state === 'next');
    if (pending) throw new RotationPendingError(pending.key.kid, pending.key.activatesAt);
    const active = states.find((status) => status.state === 'active');
    const activatesAt = new Date(active ? now + this.#settings.activationDelayMs : now);
    const key = generateSigningKey(this.#encryption, activatesAt);
    await this.#keys.add(key);
    return { kid: key.kid, activatesAt, replaces: active?.key.kid ?? null };
  }
}
