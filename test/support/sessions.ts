import { MeDocument, MySessionsDocument, RefreshSessionDocument, RevokeSessionDocument, SignOutDocument } from '../generated/graphql.ts';
import { run, type RequestOptions } from './graphql.ts';

/** Typed session operations over real HTTP. */
export const sessionClient = (url: string) => ({
  me: async (token: string) => (await run(url, MeDocument, {}, { token })).me,
  sessions: async (token: string) => (await run(url, MySessionsDocument, {}, { token })).me?.sessions ?? null,
  refresh: async (refreshToken: string | null, options?: RequestOptions) =>
    (await run(url, RefreshSessionDocument, refreshToken === null ? {} : { input: { refreshToken } }, options)).refreshSession,
  signOut: async (token: string, everywhere?: boolean) =>
    (await run(url, SignOutDocument, everywhere === undefined ? {} : { input: { everywhere } }, { token })).signOut,
  revoke: async (token: string, sessionId: string) => (await run(url, RevokeSessionDocument, { input: { sessionId } }, { token })).revokeSession,
});
