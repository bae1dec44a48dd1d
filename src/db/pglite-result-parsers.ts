/** What this needs of PGlite, reached through MikroORM's PgliteConnection. */
interface ParsingDatabase {
  parsers: Record<string, unknown>;
  query<T>(sql: string): Promise<{ rows: T[] }>;
}

interface NativeClientConnection {
  getNativeClient(): Promise<ParsingDatabase>;
}

/**
 * PGlite copies its whole table of result parsers into a new object for every
 * result it reads (`{ ...parsers, ...options.parsers }`). The table holds one
 * entry per array type of the catalogue, about 320 keyed by OID, and copying it
 * took 0.18 ms a statement on the event loop, as long as running `select 1`.
 * This keeps the scalar parsers and those of arrays whose elements have one
 * (int4[], text[], jsonb[], timestamptz[] …): ~50 entries. An array of another
 * type (uuid[], inet[] …) then arrives as PostgreSQL's text form, `{a,b}`;
 * no column or statement of Rekey returns one.
 *
 * `connection`: MikroORM's PgliteConnection (`orm.em.getConnection()`).
 */
export async function trimResultParsers(connection: unknown): Promise<void> {
  const pglite = await (connection as NativeClientConnection).getNativeClient();
  const { rows } = await pglite.query<{ oid: number; element: number }>(
    `select oid, typelem as "element" from pg_catalog.pg_type where typcategory = 'A' and typelem <> 0`,
  );
  const arrays = new Map(rows.map((row) => [String(row.oid), String(row.element)]));
  const kept = Object.entries(pglite.parsers).filter(([oid]) => {
    const element = arrays.get(oid);
    return element === undefined || (Object.hasOwn(pglite.parsers, element) && !arrays.has(element));
  });
  pglite.parsers = Object.fromEntries(kept);
}
