import { ConfigError, type Config } from '../config/config.ts';
import type { Orm } from '../db/orm.ts';
import { createLogger } from '../observability/logging.ts';
import { serverSecret } from '../server/token-keys.ts';
import { KeyAdministration } from '../access-tokens/key-administration.ts';
import { KeyEncryption } from '../access-tokens/key-encryption.ts';

/** `keys list` and `keys rotate`: tab-separated lines, one key each, oldest first. */
export async function signingKeys(orm: Orm, config: Config, rotate: boolean): Promise<string> {
  if (config.jwtAlgorithm !== 'ES256') {
    throw new ConfigError('JWT_ALGORITHM is HS256: there are no key pairs. Switching to ES256 signs no one out (docs/api/tokens.md).');
  }
  const admin = new KeyAdministration(orm.em.fork(), new KeyEncryption(serverSecret(config, createLogger('silent'))), {
    tokenTtlMs: config.jwtTtlSeconds * 1000,
    activationDelayMs: config.keyActivationDelayMs,
  });
  const lines: string[] = [];
  if (rotate) {
    const { kid, activatesAt, replaces } = await admin.rotate();
    lines.push(
      replaces
        ? `Published key ${kid}; instances sign with it from ${activatesAt.toISOString()}. ${replaces} stays published until its last token has expired.`
        : `Published key ${kid}; it signs now.`,
    );
  }
  for (const { key, state, retiresAt } of await admin.list()) {
    const until = state === 'previous' && retiresAt ? `until ${retiresAt.toISOString()}` : state === 'next' ? `from ${key.activatesAt.toISOString()}` : '-';
    lines.push([key.kid, key.algorithm, state, until, `created ${key.createdAt.toISOString()}`].join('\t'));
  }
  return lines.length > 0 ? lines.join('\n') : 'No signing keys yet: the first server start makes one.';
}
