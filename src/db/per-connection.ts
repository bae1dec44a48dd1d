import type { Db } from './orm.ts';

/**
 * The value `store` keeps for `db`'s connection (one per ORM, shared by its
 * forks and transactions), made by `create` on first use. Keyed weakly, so a
 * closed ORM's values go with it.
 */
export function perConnection<T>(store: WeakMap<object, T>, db: Db, create: () => T): T {
  const connection = db.getConnection();
  let value = store.get(connection);
  if (value === undefined) {
    value = create();
    store.set(connection, value);
  }
  return value;
}
