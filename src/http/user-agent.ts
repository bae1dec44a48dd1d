/** Longest user agent kept; longer ones are cut (real ones are well under this). */
export const MAX_USER_AGENT_LENGTH = 512;

/** The caller's `user-agent` header as recorded with security events: bounded, null when absent. */
export function clientUserAgent(request: Request): string | null {
  const header = request.headers.get('user-agent')?.trim();
  return header ? header.slice(0, MAX_USER_AGENT_LENGTH) : null;
}
