// The test environment: jest-environment-node, plus one Map per jest worker that every test
// file run in that worker sees as `globalThis.rekeyWorkerShared`. Each test file gets fresh
// modules and globals; this module is loaded once per worker, so what is kept here is read
// once per worker — immutable things only (the PGlite seed's bytes: test/support/pglite-seed.ts).
import { TestEnvironment } from 'jest-environment-node';

const workerShared = new Map();

export default class RekeyTestEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.global.rekeyWorkerShared = workerShared;
  }
}
