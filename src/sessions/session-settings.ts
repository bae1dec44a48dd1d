/** How long sessions live and how many an account may have (docs/api/sessions.md). */
export interface SessionSettings {
  /** Absolute lifetime from sign-in (SESSION_TTL). */
  ttlMs: number;
  /** A session not refreshed for this long has ended (SESSION_IDLE_TIMEOUT). */
  idleTimeoutMs: number;
  /** A rotated refresh token presented again within this time gets the same successor instead of revoking (REFRESH_REUSE_GRACE). */
  reuseGraceMs: number;
  /** Active sessions per account; a new one beyond this revokes the least recently active (MAX_SESSIONS_PER_USER). */
  maxPerUser: number;
  /** Ended sessions are deleted this long after they ended (SESSION_RETENTION). */
  retentionMs: number;
  /** Wrong current passwords in a row in changePassword that revoke the session (SESSION_FAILURE_LIMIT). */
  failureLimit: number;
}
