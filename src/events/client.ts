/** Who is calling, as far as the transport can tell: stored with sessions and security events. */
export interface SessionClient {
  address: string;
  /** The `user-agent` header, bounded (see http/user-agent.ts). */
  userAgent: string | null;
}

/** A caller of a request that may write: the transport learns when the outcome can no longer be cut short. */
export interface Client extends SessionClient {
  /** Called just before a write whose outcome the caller must hear; throws if the caller was already answered. */
  beginWrite?: () => void;
}
