import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPrivateDir } from '../db/private-dir.ts';
import { Secret } from '../secrets/secret.ts';

/**
 * Development only: a signing secret generated once into DATA_DIR and reused
 * after restarts, so a newcomer needs no configuration and stays signed in.
 */
export function loadOrCreateDevSecret(dataDir: string): { secret: Secret; created: boolean; path: string } {
  const path = join(dataDir, 'jwt-secret');
  const existing = () => ({ secret: Secret.fromText(readFileSync(path, 'utf8').trim()), created: false, path });
  try {
    return existing();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  createPrivateDir(dataDir);
  const text = randomBytes(48).toString('base64url');
  // 'wx' refuses to overwrite a secret another process wrote in the meantime.
  try {
    writeFileSync(path, `${text}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return existing();
  }
  return { secret: Secret.fromText(text), created: true, path };
}
