import { chmodSync, mkdirSync } from 'node:fs';

/**
 * Creates a folder (and any missing parents) that only its owner can enter:
 * DATA_DIR holds the development secret and the embedded database, whose
 * files are password hashes. An existing folder is left as it is.
 */
export function createPrivateDir(path: string): void {
  mkdirSync(path, { recursive: true, mode: 0o700 });
}

/** As createPrivateDir, and also tightens the folder if it exists: for folders that are wholly ours. */
export function ensurePrivateDir(path: string): void {
  createPrivateDir(path);
  chmodSync(path, 0o700);
}
