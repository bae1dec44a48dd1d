// The server process of `npm run bench`: Rekey built by createRekey exactly as
// src/main.ts builds it (configuration from the environment), plus an IPC
// channel through which bench/run.ts seeds accounts and reads measurements
// that only the server's own process can take (event-loop delay, memory).
// REKEY_BENCH_FLOW=naive swaps in the naive reference changePassword.
import type { Flow } from './protocol.ts';
import { installNaiveFlow } from './naive/install.ts';

const flow: Flow = process.env.REKEY_BENCH_FLOW === 'naive' ? 'naive' : 'rekey';
if (flow === 'naive') installNaiveFlow();
// Imported only now, so that the swap above applies to the app's modules.
const { serveBench } = await import('./serve.ts');
await serveBench();
