import type { EntityClass, EntityDictionary } from '@mikro-orm/core';
import type { Db } from './orm.ts';

/**
 * A row mapped to an entity as `db.map` would (column names, types), but
 * left out of the unit of work: no identity-map entry, no snapshot, nothing
 * a flush would look at. For the hot reads whose entities nobody writes
 * back (every write of Rekey is an explicit statement): the per-request
 * session check and the refresh rotation. Registering the two entities of
 * each `me` took about 6% of its event-loop time on PostgreSQL.
 *
 * Unlike `db.map`, a later `db.map` of the same row in this EntityManager
 * gives another object, and this one is not refreshed by it. If the
 * EntityManager already manages that row's entity, that one is refreshed
 * and returned, as `db.map` would.
 */
export function unmanagedEntity<T extends object>(db: Db, entity: EntityClass<T>, row: EntityDictionary<T>): T {
  const data = db.getDriver().mapResult(row, db.getMetadata().get(entity));
  if (data === null) throw new Error(`No row to map to ${entity.name}`);
  return db.getEntityFactory().create(entity, data, { merge: false, refresh: true, convertCustomTypes: true, initialized: true });
}
