/**
 * The drivers of embedded PGlite databases, recorded by initORM as it opens
 * one. Code that runs differently on PGlite asks here instead of testing
 * `instanceof PgliteDriver`: importing that class would load PGlite into every
 * process, PostgreSQL ones included, which never use it.
 */
const embeddedDrivers = new WeakSet<object>();

export function markEmbedded(driver: object): void {
  embeddedDrivers.add(driver);
}

/** Whether `driver` (`orm.driver`, `db.getDriver()`) is embedded PGlite's. */
export function isEmbedded(driver: object): boolean {
  return embeddedDrivers.has(driver);
}
