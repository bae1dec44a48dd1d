import { MeDocument, MySessionsDocument, RefreshSessionDocument, RevokeSessionDocument, SignOutDocument } from '../generated/graphql.ts';
import { run, type RequestOptions } from './graphql.ts';
import { SessionService } from '../../src/sessions/session-service.ts';
import { UserRepository } from '../../src/users/user.repository.ts';
import type { Rekey } from '../../src/server/runtime.ts';

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

/** An access token of a real session for an account a test inserted directly (no password sign-in involved). */
export async function sessionTokenFor(rekey: Rekey, userId: number): Promise<string> {
  const db = rekey.orm.em.fork();
  const user = await new UserRepository(db).findById(userId);
  if (user === null) throw new Error(`No account ${userId}`);
  const signedIn = await new SessionService(db, rekey.deps).start(user, { address: '127.0.0.1', userAgent: null });
  return signedIn.token;
}
