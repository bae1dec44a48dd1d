// Used by the MikroORM CLI to write new migrations (`npm run db:migration`); migrations
// are applied by the server at start and by `npm run db:migrate`, checked by `npm run db:check`.
// The server opens the ORM through src/db/orm.ts with the same base options and entities.
import { mkdirSync } from 'node:fs';
import { defineConfig as definePgliteConfig } from '@mikro-orm/pglite';
import { defineConfig as definePostgreSqlConfig } from '@mikro-orm/postgresql';
import { ormBaseOptions, pgliteDirFor } from './src/db/orm.ts';
import { entities } from './src/server/entities.ts';

const databaseUrl = process.env.DATABASE_URL;
const dataDir = process.env.DATA_DIR || '.data';
if (!databaseUrl) mkdirSync(dataDir, { recursive: true });

export default databaseUrl
  ? definePostgreSqlConfig({ ...ormBaseOptions, entities, clientUrl: databaseUrl })
  : definePgliteConfig({ ...ormBaseOptions, entities, dbName: pgliteDirFor(dataDir) });
