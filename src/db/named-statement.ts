import { createHash } from 'node:crypto';
import type { AnyEntity, EntityData, QueryResult } from '@mikro-orm/core';
import type { Pool, QueryResult as PgResult } from 'pg';
import type { Db } from './orm.ts';
import { perConnection } from './per-connection.ts';
import { recordStatementSpan } from '../observability/statement-spans.ts';
import { tracingEnabled } from '../observability/tracing.ts';

/** What `Db.execute` may return (its own constraint). */
export type ExecuteResult = QueryResult | EntityData<AnyEntity> | EntityData<AnyEntity>[];

export type ExecuteMethod = 'all' | 'get' | 'run';

/** How one SQL text runs on PostgreSQL: under its current name, or as plain SQL for good. */
interface Named {
  /** Null once the server lost a statement of this name: this text then always runs as plain SQL. */
  name: string | null;
  /** The SQL with `$1…` placeholders. */
  text: string;
  /** Bumped when a schema change invalidated the statement's result type: a new name is prepared afresh. */
  version: number;
}

/** Per ORM connection: its node-postgres pool (fetched on first use) and the named statements of its texts. */
interface ConnectionStatements {
  pool: Pool | null;
  named: Map<string, Named>;
}

const statementsByConnection = new WeakMap<object, ConnectionStatements>();

/**
 * SQLSTATE 26000 invalid_sql_statement_name: the server no longer has a
 * statement this client prepared (a pooler in transaction mode, or a
 * `DEALLOCATE`/`DISCARD` behind its back).
 */
const STATEMENT_GONE = '26000';
/** SQLSTATE 0A000 with this message: a column was added to or dropped from a table the statement reads (a deploy's migration). */
const RESULT_TYPE_CHANGED = /cached plan must not change result type/;

/** The server-side name of a statement: a digest of its text (and of its version, after the first). */
export function statementName(sql: string, version: number): string {
  return `rekey_${createHash('sha256').update(version === 0 ? sql : `${version}:${sql}`).digest('hex').slice(0, 24)}`;
}

/** `sql` with its `?` placeholders numbered `$1…`, as PostgreSQL's own statements take them. */
export function numberedPlaceholders(sql: string): { text: string; count: number } {
  let count = 0;
  const text = sql.replace(/\?/g, () => `$${++count}`);
  return { text, count };
}

async function statementsOf(db: Db): Promise<{ pool: Pool; named: Map<string, Named> }> {
  const statements = perConnection(statementsByConnection, db, (): ConnectionStatements => ({ pool: null, named: new Map() }));
  // Fetched when first needed, and again after the ORM closed its pool: it reopens on its next query with a
  // new one, as db.execute would. The names stay valid: each pooled connection prepares what it has not seen.
  if (statements.pool === null || statements.pool.ended) statements.pool = (await db.getConnection().getNativeClient()) as Pool;
  return { pool: statements.pool, named: statements.named };
}

/**
 * `db.execute(sql, params, method)` on PostgreSQL as a named statement of
 * node-postgres, outside transactions: each pooled connection parses and
 * plans the text once, then only binds values. MikroORM sends every statement
 * as new text with its values inlined, so the server parsed and planned each
 * one again; for the refresh rotation that was most of the server's work per
 * request. Errors go through MikroORM's exception converter, as
 * `db.execute`'s do, and results have its shapes.
 *
 * Inside a transaction the statement runs through `db.execute` on the
 * transaction's connection, which MikroORM does not hand out.
 *
 * Two server answers are handled by running the statement again (it did
 * not run): a table's columns changed since it was prepared (it is prepared
 * again under a new name), and the server lost the statement (this text runs
 * as plain SQL from then on). At most `maxStatements` texts are named.
 */
export async function executeNamed<T extends ExecuteResult>(db: Db, sql: string, params: unknown[], method: ExecuteMethod, maxStatements: number): Promise<T> {
  if (db.isInTransaction()) return db.execute<T>(sql, params, method);
  const { pool, named: byText } = await statementsOf(db);
  let named = byText.get(sql);
  if (named === undefined) {
    if (byText.size >= maxStatements) return db.execute<T>(sql, params, method);
    named = { name: statementName(sql, 0), text: numberedPlaceholders(sql).text, version: 0 };
    byText.set(sql, named);
  }
  for (let attempt = 0; ; attempt += 1) {
    if (named.name === null) return db.execute<T>(sql, params, method);
    try {
      const started = Date.now();
      const result = await pool.query({ name: named.name, text: named.text, values: params });
      // Past the ORM, so its statement spans do not see this one.
      if (tracingEnabled()) recordStatementSpan(sql, Date.now() - started);
      return shape<T>(result, method);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (attempt === 0 && code === STATEMENT_GONE) named.name = null;
      else if (attempt === 0 && code === '0A000' && RESULT_TYPE_CHANGED.test((error as Error).message)) {
        named.version += 1;
        named.name = statementName(sql, named.version);
      } else throw db.getDriver().convertException(error as Error);
    }
  }
}

const WRITE_COMMANDS = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE']);

/** node-postgres's result in the shape `db.execute` gives for `method`. */
function shape<T>(result: PgResult, method: ExecuteMethod): T {
  if (method === 'all') return result.rows as T;
  if (method === 'get') return result.rows[0] as T;
  // As MikroORM counts through Kysely: the command's row count for writes, the rows returned otherwise.
  const affectedRows = WRITE_COMMANDS.has(result.command) ? (result.rowCount ?? 0) : result.rows.length;
  return { affectedRows, insertId: undefined, row: result.rows[0], rows: result.rows } as T;
}
