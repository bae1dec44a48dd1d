import { setImmediate as nextTurn } from 'node:timers/promises';
import { isEmbedded } from './embedded-driver.ts';
import type { Orm } from './orm.ts';

/**
 * What autovacuum would do, for embedded PGlite: `VACUUM (ANALYZE)` of each
 * of our tables, one at a time. PGlite is PostgreSQL as a single-user
 * backend, where no autovacuum runs, so without this the dead row versions
 * that every session touch and every sweep leave (and their index entries)
 * are never reclaimed, no table is ever analyzed (the planner keeps guessing
 * sizes), and transaction ids are never frozen: PostgreSQL refuses writes
 * as their age nears 2^31. PGlite runs SQL on the event loop, so the loop
 * gets a turn between tables. Returns the tables vacuumed: none on
 * PostgreSQL, where autovacuum does this.
 */
export async function vacuumEmbedded(orm: Orm): Promise<string[]> {
  if (!isEmbedded(orm.driver)) return [];
  const db = orm.em.fork();
  const tables = await db.execute<{ name: string }[]>(
    `select c."relname" as "name" from "pg_class" c join "pg_namespace" n on n."oid" = c."relnamespace"
     where n."nspname" = current_schema() and c."relkind" = 'r' order by c."relname"`,
  );
  const vacuumed: string[] = [];
  for (const { name } of tables) {
    await db.execute(`vacuum (analyze) "${name.replaceAll('"', '""')}"`, [], 'run');
    vacuumed.push(name);
    await nextTurn();
  }
  return vacuumed;
}
