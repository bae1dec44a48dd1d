import type { TokenPair, TokenStore } from './token-store.ts';

/** The part of the Web Storage API the store uses (localStorage, sessionStorage, or a look-alike). */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/**
 * Body mode in a browser that must survive reloads: the pair in `localStorage` (shared by the tabs
 * of one origin, so a refresh in one is seen by all). The refresh token is then readable by any
 * script on the page; prefer cookie mode (`browserTokenStore`) where the server offers it.
 */
export function webStorageTokenStore(storage: KeyValueStorage, key = 'rekey.session'): TokenStore {
  const load = (): TokenPair | null => {
    try {
      const text = storage.getItem(key);
      return text ? (JSON.parse(text) as TokenPair) : null;
    } catch {
      return null;
    }
  };
  return {
    load,
    save: (pair) => storage.setItem(key, JSON.stringify(pair)),
    clear: () => storage.removeItem(key),
    // Browsers tell the other tabs of an origin when one changes localStorage.
    subscribe: (listener) => {
      const target = globalThis as { addEventListener?: EventListenerLike; removeEventListener?: EventListenerLike };
      const onStorage = (event: { key?: string | null }) => {
        if (event.key === key || event.key === null) listener(load());
      };
      target.addEventListener?.('storage', onStorage);
      return () => target.removeEventListener?.('storage', onStorage);
    },
  };
}

type EventListenerLike = (type: 'storage', listener: (event: { key?: string | null }) => void) => void;
