import type { Config } from '../config/config.ts';
import type { Orm } from '../db/orm.ts';
import type { AccountAdministration } from '../identity/account-administration.ts';
import type { AccountDirectory } from '../identity/account-directory.ts';

/** What a command runs with: the server's configuration and database, and who runs it. */
export interface AdminContext {
  config: Config;
  orm: Orm;
  /** Who is acting, for the events an account's changes record: --operator, or the OS user. */
  operator: string;
  /** The new password, for commands that read one (see CommandSpec.readsPassword). */
  password: string | null;
  /** The account operations, on a fresh entity manager. */
  accounts(): AccountAdministration;
  /** Read-only views of accounts, on a fresh entity manager. */
  directory(): AccountDirectory;
}
