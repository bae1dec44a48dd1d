import { userInfo } from 'node:os';
import { UsageError } from './usage-error.ts';

const MAX_OPERATOR = 64;

/**
 * Who runs the command, as the account's security events will name them:
 * `--operator`, else the OS user. Printable and bounded, since it is stored
 * and shown to the account's owner.
 */
export function operatorName(given: string | undefined): string {
  if (given !== undefined) {
    const name = given.trim();
    if (name === '' || name.length > MAX_OPERATOR || !/^[\p{L}\p{N} ._@+-]+$/u.test(name)) {
      throw new UsageError(`--operator must be 1 to ${MAX_OPERATOR} letters, digits, spaces or ._@+- characters.`);
    }
    return name;
  }
  try {
    return userInfo().username.slice(0, MAX_OPERATOR) || 'unknown';
  } catch {
    // A container user with no passwd entry.
    return process.env.USER?.slice(0, MAX_OPERATOR) || 'unknown';
  }
}
