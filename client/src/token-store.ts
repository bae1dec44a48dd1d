/** The tokens of one signed-in session, as the client keeps them. */
export interface TokenPair {
  /** The access token (a JWT) for `Authorization: Bearer`. */
  accessToken: string;
  /** When the server says the access token expires (ISO 8601). */
  expiresAt: string;
  /**
   * The refresh token in body mode; null in cookie mode, where it is an HttpOnly cookie the client
   * never sees.
   */
  refreshToken: string | null;
  /** The client-clock time (ms since the epoch) after which the access token is refreshed before use. */
  refreshAt: number;
}

/**
 * Where the session's tokens live. Every method may be synchronous or return a promise, so a store
 * can sit on React Native's AsyncStorage, a keychain, a server's session store or memory.
 */
export interface TokenStore {
  load(): TokenPair | null | Promise<TokenPair | null>;
  save(pair: TokenPair): void | Promise<void>;
  clear(): void | Promise<void>;
  /** Called when another holder of the same store (another tab) saved or cleared it. Optional. */
  subscribe?(listener: (pair: TokenPair | null) => void): () => void;
}

/** Keeps the tokens in this process's memory: servers, tests, and one-tab browser apps. */
export function memoryTokenStore(initial: TokenPair | null = null): TokenStore {
  let pair = initial;
  return {
    load: () => pair,
    save: (next) => {
      pair = next;
    },
    clear: () => {
      pair = null;
    },
  };
}
