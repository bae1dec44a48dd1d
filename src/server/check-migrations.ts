// `npm run db:check`: fails when the entities and the migrations disagree.
// Applies every migration to an empty in-memory database and asks the schema
// generator what it would still change.
import { migrate } from '../db/orm.ts';
import { openOrm } from './database.ts';

const orm = await openOrm({ databaseUrl: null, pgliteDir: 'memory://' });
try {
  await migrate(orm);
  const pending = await orm.schema.getUpdateSchemaSQL({ wrap: false });
  if (pending.trim()) {
    console.error(`Entities and migrations differ; create a migration for:\n${pending}`);
    process.exitCode = 1;
  } else {
    console.log('Migrations match the entities.');
  }
} finally {
  await orm.close(true);
}
