// `npm run db:migrate`: applies pending migrations to DATABASE_URL, or to the
// embedded database in DATA_DIR. The server also does this at start.
import { loadConfig, loadDotEnv } from '../config/config.ts';
import { migrate, pgliteDirFor } from '../db/orm.ts';
import { openOrm } from './database.ts';

loadDotEnv();
const config = loadConfig();
const orm = await openOrm({ databaseUrl: config.databaseUrl, pgliteDir: pgliteDirFor(config.dataDir) });
try {
  const applied = await migrate(orm);
  console.log(applied.length ? `Applied ${applied.join(', ')}` : 'No pending migrations');
} finally {
  await orm.close(true);
}
