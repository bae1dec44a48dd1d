import { AccountService, type AccountDeps, type Client } from '../identity/account-service.ts';
import type { Db, Orm } from '../db/orm.ts';
import { SecurityEventRepository } from '../events/security-event-repository.ts';
import { clientAddress } from './client-address.ts';
import { clientUserAgent } from './user-agent.ts';
import type { ServerContext } from './server-context.ts';

/** What every transport (GraphQL, the REST route) needs for one request. */
export interface RequestAccounts {
  /** Bound to this request's own EntityManager fork. */
  accounts: AccountService;
  client: Client;
  /** The viewer's security events, read on the same fork. */
  securityEvents: SecurityEventRepository;
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
  return (request, server) => {
    // One EntityManager fork per request: its identity map is this request's alone.
    const db = orm.em.fork();
    return {
      accounts: createService(db, deps),
      client: {
        address: clientAddress(request, server, trustProxyHops),
        userAgent: clientUserAgent(request),
        beginWrite: () => server.writeDeadline?.beginWrite(),
      },
      securityEvents: new SecurityEventRepository(db),
    };
  };
}
