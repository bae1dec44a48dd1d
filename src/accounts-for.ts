import { AccountService, type AccountDeps, type Client } from './accounts/account-service.ts';
import type { Db, Orm } from './db/orm.ts';
import { clientAddress } from './http/client-address.ts';
import type { ServerContext } from './server-context.ts';

/** What every transport (GraphQL, the REST route) needs for one request. */
export interface RequestAccounts {
  /** Bound to this request's own EntityManager fork. */
  accounts: AccountService;
  client: Client;
}

export type AccountsFor = (request: Request, server: ServerContext) => RequestAccounts;

export interface AccountsForOptions {
  orm: Orm;
  deps: AccountDeps;
  trustProxyHops: number;
  /** Another service with the same contract; the benchmark's naive reference flow plugs in here. */
  createService?: (db: Db, deps: AccountDeps) => AccountService;
}

/** The one per-request factory: an EntityManager fork, the domain service on it, and who is calling. */
export function accountsFor({ orm, deps, trustProxyHops, createService = (db, d) => new AccountService(db, d) }: AccountsForOptions): AccountsFor {
  return (request, server) => ({
    accounts: createService(orm.em.fork(), deps),
    client: { address: clientAddress(request, server, trustProxyHops), userAgent: request.headers.get('user-agent') },
  });
}
