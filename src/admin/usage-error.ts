/** The command line itself is wrong (exit status 2), as opposed to the command failing (1). */
export class UsageError extends Error {
  override name = 'UsageError';
}
