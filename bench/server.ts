// The server process of `npm run bench`: Rekey built by createRekey exactly as
// src/main.ts builds it (configuration from the environment), plus an IPC
// channel through which bench/run.ts seeds accounts and reads measurements
// that only the server's own process can take (event-loop delay, memory).
// REKEY_BENCH_FLOW=naive plugs in the naive reference changePassword.
import { NaiveAccountService } from './naive/account-service.ts';
import { serveBench } from './serve.ts';

await serveBench(
  process.env.REKEY_BENCH_FLOW === 'naive'
    ? { flow: 'naive', createService: (db, deps) => new NaiveAccountService(db, deps) }
    : { flow: 'rekey' },
);
