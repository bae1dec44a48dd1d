import { z } from 'zod';
import { duration, url } from '../parsers.ts';
import { defineGroup } from '../variable.ts';

export const storage = defineGroup('Database and Redis', {
  DATABASE_URL: {
    parse: url(['postgres:', 'postgresql:']),
    unset: 'unset: embedded PGlite in `DATA_DIR`',
    description: '`postgres://…` for a PostgreSQL server',
  },
  DATA_DIR: { parse: z.string(), default: '.data', description: 'embedded database and development secret' },
  DB_STATEMENT_TIMEOUT: { parse: duration(100, 600_000), default: '10s', description: 'PostgreSQL `statement_timeout`' },
  DB_CONNECT_TIMEOUT: {
    parse: duration(100, 600_000),
    default: '5s',
    description:
      'opening a PostgreSQL connection, or waiting for a free one in the pool, gives up after this (then 503); the pool abandons a connection still being opened, so keep it well above how long opening one takes under load, or a recovery after an outage can become a loop of aborted connects',
  },
  REDIS_URL: {
    parse: url(['redis:', 'rediss:']),
    unset: 'unset: in-process limits',
    description: 'shared rate-limit store (`redis://` or `rediss://`)',
  },
  REDIS_KEY_PREFIX: {
    parse: z.string().max(100),
    default: 'rekey:limit:',
    description: 'prefix of rate-limit keys; instances that share limits share it',
  },
  REDIS_TIMEOUT: {
    parse: duration(100, 60_000),
    default: '2s',
    description:
      'connecting to Redis, and any one command, gives up after this (password checks then fail closed); a connection with a command waiting that hears nothing for as long is replaced',
  },
});
