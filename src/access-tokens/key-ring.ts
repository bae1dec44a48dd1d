import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import type { Orm } from '../db/orm.ts';
import type { AppLogger } from '../observability/logging.ts';
import type { KeyEncryption } from './key-encryption.ts';
import { generateSigningKey } from './key-generation.ts';
import { keyRefreshIntervalMs, keyStates, type KeyStatus, type ScheduleSettings } from './key-schedule.ts';
import type { SigningKey } from './signing-key.entity.ts';
import { SigningKeyRepository } from './signing-key.repository.ts';

/** A key as this instance holds it: imported once per refresh, so signing and verifying do no I/O. */
export interface HeldKey {
  kid: string;
  sequence: number;
  activatesAt: Date;
  createdAt: Date;
  jwk: Record<string, string>;
  publicKey: KeyObject;
  privateKey: KeyObject;
}

export interface KeyRingSettings {
  tokenTtlMs: number;
  activationDelayMs: number;
}

/** An unknown `kid` rereads the key set at most this often (a forged kid costs nothing more). */
const UNKNOWN_KID_RELOAD_MS = 5_000;

/**
 * The shared ES256 key set as this instance sees it: read from the database
 * at start (making the first key when there is none) and reread every
 * refresh interval, so a rotation reaches every instance without a restart.
 */
export class KeyRing {
  #held: HeldKey[] = [];
  #timer: NodeJS.Timeout | undefined;
  #lastReload = 0;
  #reloading: Promise<void> | null = null;
  readonly #orm: Orm;
  readonly #encryption: KeyEncryption;
  readonly #schedule: ScheduleSettings;
  readonly #log: AppLogger;

  private constructor(orm: Orm, encryption: KeyEncryption, settings: KeyRingSettings, log: AppLogger) {
    this.#orm = orm;
    this.#encryption = encryption;
    this.#schedule = { tokenTtlMs: settings.tokenTtlMs, refreshMs: keyRefreshIntervalMs(settings.activationDelayMs) };
    this.#log = log;
  }

  /** Loads the key set, making the first key (active at once: no cache has seen any) when the table is empty. */
  static async open(orm: Orm, encryption: KeyEncryption, settings: KeyRingSettings, log: AppLogger): Promise<KeyRing> {
    const ring = new KeyRing(orm, encryption, settings, log);
    const repository = new SigningKeyRepository(orm.em.fork());
    if (await repository.add(generateSigningKey(encryption, new Date()), { onlyIfNone: true })) {
      log.info('Generated the first token signing key (ES256); it is published at /.well-known/jwks.json.');
    }
    await ring.reload();
    ring.#timer = setInterval(() => void ring.#reloadQuietly(), ring.#schedule.refreshMs);
    ring.#timer.unref();
    return ring;
  }

  get refreshMs(): number {
    return this.#schedule.refreshMs;
  }

  async reload(): Promise<void> {
    this.#lastReload = Date.now();
    const rows = await new SigningKeyRepository(this.#orm.em.fork()).all();
    this.#held = rows.map((row) => this.#hold(row));
  }

  #hold(row: SigningKey): HeldKey {
    const privateKey = createPrivateKey({ key: this.#encryption.open(row.kid, row.sealedPrivateKey), format: 'der', type: 'pkcs8' });
    const { kid, sequence, activatesAt, createdAt, publicJwk } = row;
    return { kid, sequence, activatesAt, createdAt, jwk: publicJwk, publicKey: createPublicKey(privateKey), privateKey };
  }

  /** A failed reread keeps the set held (a database outage must not stop signing). */
  #reloadQuietly(): Promise<void> {
    this.#reloading ??= this.reload()
      .catch((error: unknown) => this.#log.warn({ err: error }, 'Could not reread the token signing keys; keeping the ones held.'))
      .finally(() => {
        this.#reloading = null;
      });
    return this.#reloading;
  }

  states(now = Date.now()): KeyStatus<HeldKey>[] {
    return keyStates(this.#held, now, this.#schedule);
  }

  /** The key new tokens are signed with now. */
  active(now = Date.now()): HeldKey {
    const active = this.states(now).find((status) => status.state === 'active');
    if (!active) throw new Error('No token signing key is active');
    return active.key;
  }

  /** A published key by its kid; an unknown kid rereads the set in the background (throttled) and answers null. */
  published(kid: string, now = Date.now()): HeldKey | null {
    const status = this.states(now).find((candidate) => candidate.key.kid === kid);
    if (status === undefined && now - this.#lastReload > UNKNOWN_KID_RELOAD_MS) void this.#reloadQuietly();
    return status && status.state !== 'retired' ? status.key : null;
  }

  /** The public keys to publish (next, active and previous), as a JWK set. */
  jwks(now = Date.now()): { keys: Record<string, string>[] } {
    return { keys: this.states(now).filter((status) => status.state !== 'retired').map((status) => status.key.jwk) };
  }

  /** When this deployment first had an ES256 key: HS256 tokens issued after it (plus the activation delay) are refused. */
  get firstKeyCreatedAt(): Date | null {
    return this.#held.reduce<Date | null>((first, key) => (first === null || key.createdAt < first ? key.createdAt : first), null);
  }

  close(): void {
    clearInterval(this.#timer);
  }
}
