import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface ServerDatabase {
  /** The new database's URL on the same server. */
  url: string;
  drop(): Promise<void>;
}

async function onServer(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * A throw-away database on the PostgreSQL server of `serverUrl` (created now,
 * dropped by `drop`), so nothing already there is touched. Tests and the
 * benchmark both use it.
 */
export async function createServerDatabase(serverUrl: string, label: string): Promise<ServerDatabase> {
  const name = `rekey_${label}_${process.pid}_${randomBytes(4).toString('hex')}`;
  await onServer(serverUrl, `create database "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => onServer(serverUrl, `drop database if exists "${name}" with (force)`) };
}
