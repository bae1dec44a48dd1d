// Used by the MikroORM CLI (`npx mikro-orm-esm migration:create|check|up`).
// The server opens the ORM through src/db/orm.ts with the same entities and migrations.
import { mkdirSync } from 'node:fs';
import { Migrator } from '@mikro-orm/migrations';
import { defineConfig as definePgliteConfig } from '@mikro-orm/pglite';
import { defineConfig as definePostgreSqlConfig } from '@mikro-orm/postgresql';
import { User } from './src/accounts/user.entity.ts';
import { pgliteDirFor } from './src/db/orm.ts';

const shared = {
  entities: [User],
  extensions: [Migrator],
  migrations: { path: 'src/db/migrations', pathTs: 'src/db/migrations', snapshot: false },
};
const databaseUrl = process.env.DATABASE_URL;
const dataDir = process.env.DATA_DIR || '.data';
if (!databaseUrl) mkdirSync(dataDir, { recursive: true });

export default databaseUrl
  ? definePostgreSqlConfig({ ...shared, clientUrl: databaseUrl })
  : definePgliteConfig({ ...shared, dbName: pgliteDirFor(dataDir) });
