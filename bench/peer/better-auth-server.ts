// The peer process of `npm run bench`: Better Auth over node:http, configured
// the way the comparison needs it (bench/peer/README in bench/README.md):
// email and password on its own PostgreSQL database, bcrypt at Rekey's cost in
// its hasher, its rate limiter off, and its 5-minute session cookie cache on
// only when BETTER_AUTH_COOKIE_CACHE=true. It creates its tables with Better
// Auth's own migrations, then tells its parent (over IPC) where it listens.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import bcrypt from 'bcrypt';
import { betterAuth, type BetterAuthOptions } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import { toNodeHandler } from 'better-auth/node';
import pg from 'pg';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

const cost = Number(required('BCRYPT_COST'));
const cookieCache = process.env.BETTER_AUTH_COOKIE_CACHE === 'true';
// Rekey's pool on PostgreSQL holds at most 10 connections too (src/db/orm.ts).
const pool = new pg.Pool({ connectionString: required('DATABASE_URL'), max: 10 });

function optionsFor(baseURL: string): BetterAuthOptions {
  return {
    baseURL,
    secret: required('BETTER_AUTH_SECRET'),
    database: pool,
    telemetry: { enabled: false },
    logger: { level: 'error' },
    rateLimit: { enabled: false },
    emailAndPassword: {
      enabled: true,
      password: {
        hash: (password) => bcrypt.hash(password, cost),
        verify: ({ hash, password }) => bcrypt.compare(password, hash),
      },
    },
    session: cookieCache ? { cookieCache: { enabled: true, maxAge: 5 * 60 } } : {},
  };
}

// The base URL (the trusted origin) is known once the port is: listen first, then build the handler.
let handle: (request: IncomingMessage, response: ServerResponse) => void = (_request, response) => {
  response.writeHead(503).end();
};
const server = createServer({ keepAliveTimeout: 65_000 }, (request, response) => handle(request, response));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;
const baseURL = `http://127.0.0.1:${port}`;
const options = optionsFor(baseURL);
const { runMigrations } = await getMigrations(options);
await runMigrations();
handle = toNodeHandler(betterAuth(options));

process.once('disconnect', () => {
  setTimeout(() => process.exit(1), 10_000).unref();
  server.close();
  server.closeAllConnections();
  void pool.end();
});
process.send?.({ type: 'ready', url: baseURL });
