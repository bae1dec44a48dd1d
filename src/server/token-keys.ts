import { ConfigError, type Config } from '../config/config.ts';
import { loadOrCreateDevSecret } from '../config/dev-secret.ts';
import type { Orm } from '../db/orm.ts';
import type { AppLogger } from '../observability/logging.ts';
import type { Secret } from '../secrets/secret.ts';
import { HmacTokenKeys } from '../access-tokens/hmac-token-keys.ts';
import type { TokenKeys } from '../access-tokens/token-keys.ts';
import { KeyDecryptionError, KeyEncryption } from '../access-tokens/key-encryption.ts';
import { KeyRing } from '../access-tokens/key-ring.ts';
import { RingTokenKeys } from '../access-tokens/ring-token-keys.ts';

/** A secret from configuration, or outside production the generated one kept in DATA_DIR (with a warning). */
function orDevSecret(secret: Secret | null, dataDir: string, log: AppLogger, name: string): Secret {
  if (secret !== null) return secret;
  const dev = loadOrCreateDevSecret(dataDir);
  log.warn(`${dev.created ? 'Generated' : 'Using'} a development secret in ${dev.path}; set ${name} in production.`);
  return dev.secret;
}

/**
 * SERVER_SECRET (else JWT_SECRET, else in development the generated one):
 * seals the signing keys and keys the device tokens and shared limit keys.
 * The admin CLI must use the same one.
 */
export function serverSecret(config: Pick<Config, 'serverSecret' | 'dataDir'>, log: AppLogger): Secret {
  return orDevSecret(config.serverSecret, config.dataDir, log, 'SERVER_SECRET');
}

export interface OpenedTokenKeys {
  keys: TokenKeys;
  /** The shared ES256 key set (null with HS256): the JWKS route publishes it. */
  ring: KeyRing | null;
}

export type TokenKeyConfig = Pick<
  Config,
  'jwtAlgorithm' | 'jwtSecret' | 'serverSecret' | 'dataDir' | 'jwtTtlSeconds' | 'keyActivationDelayMs'
>;

/** The keys access tokens are signed and verified with, per JWT_ALGORITHM. */
export async function openTokenKeys(config: TokenKeyConfig, orm: Orm, log: AppLogger): Promise<OpenedTokenKeys> {
  if (config.jwtAlgorithm === 'HS256') return { keys: new HmacTokenKeys(orDevSecret(config.jwtSecret, config.dataDir, log, 'JWT_SECRET')), ring: null };
  const ring = await KeyRing.open(
    orm,
    new KeyEncryption(serverSecret(config, log)),
    { tokenTtlMs: config.jwtTtlSeconds * 1000, activationDelayMs: config.keyActivationDelayMs },
    log,
  ).catch((error: unknown) => {
    // Another SERVER_SECRET than the keys were sealed with: one clear line, not a stack.
    throw error instanceof KeyDecryptionError ? new ConfigError(`Invalid configuration: ${error.message}`) : error;
  });
  const previous = config.jwtSecret ? { keys: new HmacTokenKeys(config.jwtSecret), activationDelayMs: config.keyActivationDelayMs } : null;
  return { keys: new RingTokenKeys(ring, previous), ring };
}
