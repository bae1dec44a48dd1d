import { KeyAdministration } from '../../../access-tokens/key-administration.ts';
import { KeyEncryption } from '../../../access-tokens/key-encryption.ts';
import type { KeyStatus } from '../../../access-tokens/key-schedule.ts';
import type { SigningKey } from '../../../access-tokens/signing-key.entity.ts';
import { ConfigError } from '../../../config/config.ts';
import { createLogger } from '../../../observability/logging.ts';
import { serverSecret } from '../../../server/token-keys.ts';
import type { AdminContext } from '../../admin-context.ts';

/** The key set's administration, with the servers' SERVER_SECRET, JWT_TTL and JWT_KEY_ACTIVATION_DELAY. */
export function keyAdministration({ config, orm }: AdminContext): KeyAdministration {
  if (config.jwtAlgorithm !== 'ES256') {
    throw new ConfigError('JWT_ALGORITHM is HS256: there are no key pairs. Switching to ES256 signs no one out (docs/api/tokens.md).');
  }
  return new KeyAdministration(orm.em.fork(), new KeyEncryption(serverSecret(config, createLogger('silent'))), {
    tokenTtlMs: config.jwtTtlSeconds * 1000,
    activationDelayMs: config.keyActivationDelayMs,
  });
}

/** One key for --json: public facts only (the sealed private half never leaves the table). */
export function keyJson({ key, state, retiresAt }: KeyStatus<SigningKey>) {
  return {
    kid: key.kid,
    algorithm: key.algorithm,
    state,
    createdAt: key.createdAt.toISOString(),
    activatesAt: key.activatesAt.toISOString(),
    retiresAt: retiresAt?.toISOString() ?? null,
  };
}

/** Tab-separated, one key a line, oldest first. */
export function keyLines(states: KeyStatus<SigningKey>[]): string[] {
  return states.map(({ key, state, retiresAt }) => {
    const until = state === 'previous' && retiresAt ? `until ${retiresAt.toISOString()}` : state === 'next' ? `from ${key.activatesAt.toISOString()}` : '-';
    return [key.kid, key.algorithm, state, until, `created ${key.createdAt.toISOString()}`].join('\t');
  });
}
