import type { Orm } from '../db/orm.ts';
import { DEFAULT_SESSION_CACHE, SessionCache, type SessionCacheSettings } from './session-cache.ts';

const CHANNEL = 'rekey_session_cache';

/**
 * Every change to an account's row or to one of its sessions names the
 * account on CHANNEL as it commits, whoever makes it (a repository, the admin
 * commands, a statement typed by hand): nothing the cache holds can outlive a
 * write. Triggers rather than calls in each repository, so that no future
 * write path can forget. Created at start-up in embedded mode only, not in a
 * migration: on PostgreSQL nothing is cached, and NOTIFY would cost every write.
 */
const EVICTION_TRIGGERS = `
create or replace function "rekey_session_cache_user_changed"() returns trigger language plpgsql as $$
begin
  perform pg_notify('${CHANNEL}', old."id"::text);
  return null;
end $$;
create or replace function "rekey_session_cache_session_changed"() returns trigger language plpgsql as $$
begin
  perform pg_notify('${CHANNEL}', old."user_id"::text);
  return null;
end $$;
create or replace trigger "rekey_session_cache_users" after update or delete on "users"
  for each row execute function "rekey_session_cache_user_changed"();
create or replace trigger "rekey_session_cache_sessions" after update or delete on "sessions"
  for each row execute function "rekey_session_cache_session_changed"();
`;

/** What this needs of PGlite, reached through MikroORM's PgliteConnection. */
interface EmbeddedDatabase {
  exec(sql: string): Promise<unknown>;
  listen(channel: string, callback: (payload: string) => void): Promise<unknown>;
}

interface NativeClientConnection {
  getNativeClient(): Promise<EmbeddedDatabase>;
}

/**
 * Turns on the session cache for an embedded (PGlite) database, after its
 * migrations: PGlite delivers a commit's notifications before the statement
 * that committed returns, so the cache has forgotten the account by the time
 * the writer answers anyone. Returns the cache.
 */
export async function enableEmbeddedSessionCache(orm: Orm, settings: SessionCacheSettings = DEFAULT_SESSION_CACHE): Promise<SessionCache> {
  const pglite = await (orm.em.getConnection() as unknown as NativeClientConnection).getNativeClient();
  await pglite.exec(EVICTION_TRIGGERS);
  const cache = SessionCache.attach(orm.em, settings);
  await pglite.listen(CHANNEL, (payload) => cache.forgetUser(Number(payload)));
  return cache;
}
