import type { Endpoint, FetchFunction } from './graphql-request.ts';
import { type RefreshOutcome, requestRefresh } from './refresh-request.ts';
import { withTabLock } from './tab-lock.ts';
import { type SessionChange, tokenPair } from './token-pair.ts';
import type { TokenPair, TokenStore } from './token-store.ts';

export type SessionState = 'signed-in' | 'signed-out';

export interface RekeySessionOptions {
  /** The GraphQL endpoint, e.g. `https://accounts.example.com/graphql`. */
  url: string;
  store: TokenStore;
  /**
   * Cookie mode (`SESSION_COOKIE=true` on the server): the refresh token is an HttpOnly cookie,
   * requests send credentials and the CSRF header. Default false (body mode).
   */
  cookies?: boolean;
  fetch?: FetchFunction;
  /** The Web Lock that makes the tabs of an origin refresh one at a time. */
  lockName?: string;
}

/**
 * One signed-in session and its refresh rules, shared by the Apollo link and the fetch helper:
 * a token about to expire, or refused with the authentication signal, is refreshed once — one
 * refresh for all the concurrent requests of this client and, through a Web Lock and a shared
 * store, of all its tabs — and the rotated pair is stored. When the session is over (revoked,
 * signed out elsewhere, ended by refresh-token reuse detection) the store is cleared and the state
 * becomes `signed-out`; nothing retries after that until a new sign-in stores a pair.
 */
export class RekeySession {
  readonly endpoint: Endpoint;
  private readonly store: TokenStore;
  private readonly lockName: string;
  private refreshing: Promise<string | null> | null = null;
  private readonly listeners = new Set<(state: SessionState) => void>();
  private current: SessionState = 'signed-out';
  /** How many refreshes this client sent (its tests and metrics read it). */
  refreshCount = 0;

  constructor(options: RekeySessionOptions) {
    this.endpoint = { url: options.url, cookies: options.cookies ?? false, fetch: options.fetch ?? ((input, init) => fetch(input, init)) };
    this.store = options.store;
    this.lockName = options.lockName ?? `rekey-refresh:${options.url}`;
    options.store.subscribe?.((pair) => this.setState(pair ? 'signed-in' : 'signed-out'));
  }

  get state(): SessionState {
    return this.current;
  }

  /** Calls `listener` with each change of state (a sign-in, a sign-out here or in another tab). */
  onStateChange(listener: (state: SessionState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The access token for a request, refreshed first when it is about to expire; null when signed out. */
  async accessToken(): Promise<string | null> {
    const pair = await this.store.load();
    if (!pair) return null;
    this.setState('signed-in');
    if (Date.now() < pair.refreshAt) return pair.accessToken;
    return this.refresh(pair.accessToken);
  }

  /** After the server refused `token` (the authentication signal): the token to retry with, or null. */
  refreshAfterRefusal(token: string): Promise<string | null> {
    return this.refresh(token);
  }

  /**
   * At start-up: finds out whether a session can go on. In cookie mode a fresh page has no access
   * token but may have the refresh cookie, so this trades it; in body mode it uses the stored pair.
   */
  async resume(): Promise<SessionState> {
    const pair = await this.store.load();
    if (pair || this.endpoint.cookies) await this.refresh(pair?.accessToken ?? null);
    else this.setState('signed-out');
    return this.current;
  }

  /** Applies what an answer says about the session: a new pair to store, or a sign-out. */
  async apply(change: SessionChange): Promise<void> {
    if (change?.kind === 'signed-out') return this.end();
    if (change?.kind !== 'pair') return;
    const refreshToken = change.refreshToken === undefined ? ((await this.store.load())?.refreshToken ?? null) : change.refreshToken;
    await this.store.save(tokenPair(change.token, change.expiresAt, refreshToken));
    this.setState('signed-in');
  }

  /** Forgets the session here (after a sign-out, or when the user walks away). */
  async end(): Promise<void> {
    await this.store.clear();
    this.setState('signed-out');
  }

  /** One refresh at a time for this client; `stale` is the token that is expiring or was refused. */
  private refresh(stale: string | null): Promise<string | null> {
    this.refreshing ??= withTabLock(this.lockName, () => this.refreshUnlessDone(stale)).finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async refreshUnlessDone(stale: string | null): Promise<string | null> {
    const pair = await this.store.load();
    // Another tab (or an earlier flight here) refreshed while this one waited for the lock.
    if (pair && pair.accessToken !== stale && Date.now() < pair.refreshAt) return pair.accessToken;
    if (!pair && !this.endpoint.cookies) {
      this.setState('signed-out');
      return null;
    }
    this.refreshCount += 1;
    return this.settle(await requestRefresh(this.endpoint, pair?.refreshToken ?? null), pair);
  }

  private async settle(outcome: RefreshOutcome, previous: TokenPair | null): Promise<string | null> {
    if (outcome.kind === 'ended') {
      await this.end();
      return null;
    }
    if (outcome.kind === 'failed') return previous?.accessToken ?? null;
    await this.store.save(tokenPair(outcome.token, outcome.expiresAt, outcome.refreshToken));
    this.setState('signed-in');
    return outcome.token;
  }

  private setState(state: SessionState): void {
    if (state === this.current) return;
    this.current = state;
    for (const listener of this.listeners) listener(state);
  }
}
