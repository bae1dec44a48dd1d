import type { TokenPair, TokenStore } from './token-store.ts';

interface Channel {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  removeEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}
type ChannelConstructor = new (name: string) => Channel;

type TabMessage = { kind: 'saved'; pair: TokenPair } | { kind: 'cleared' };

/**
 * The browser default for cookie mode: the access token in this tab's memory only (no
 * localStorage, nothing a script injected later can read back from storage), shared with the
 * page's other tabs over a BroadcastChannel so one refresh serves them all. The refresh token is
 * the HttpOnly cookie. A fresh tab has no access token: `session.resume()` trades the cookie for one.
 */
export function browserTokenStore(channelName = 'rekey-tokens'): TokenStore {
  const Broadcast = (globalThis as { BroadcastChannel?: ChannelConstructor }).BroadcastChannel;
  const channel = Broadcast ? new Broadcast(channelName) : null;
  let pair: TokenPair | null = null;
  const listeners = new Set<(pair: TokenPair | null) => void>();
  channel?.addEventListener('message', ({ data }) => {
    const message = data as TabMessage;
    // Another tab's clock and this one's agree well enough for "refresh ahead of expiry".
    pair = message.kind === 'saved' ? message.pair : null;
    for (const listener of listeners) listener(pair);
  });
  const tell = (message: TabMessage): void => channel?.postMessage(message);
  return {
    load: () => pair,
    save: (next) => {
      pair = next;
      tell({ kind: 'saved', pair: next });
    },
    clear: () => {
      pair = null;
      tell({ kind: 'cleared' });
    },
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
