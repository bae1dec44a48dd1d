// One command for the whole example: Rekey as a subgraph (a child process,
// FEDERATION=true, TRUST_PROXY=1), the orders subgraph and Hive Gateway.
// Run from the repository root: npm run example:supergraph
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { composeSupergraph, exampleSubgraphs } from './compose.ts';
import { createGatewayServer } from './gateway.ts';
import { createOrdersServer } from './orders.ts';

const REKEY_PORT = Number(process.env.REKEY_PORT ?? 4000);
const ORDERS_PORT = Number(process.env.ORDERS_PORT ?? 4002);
const GATEWAY_PORT = Number(process.env.GATEWAY_PORT ?? 4080);
const HOST = '127.0.0.1';
const rekeyBase = `http://${HOST}:${REKEY_PORT}`;

/** Polls Rekey's /ready until it answers 200 (start-up runs migrations first). */
async function rekeyReady(timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ready = await fetch(`${rekeyBase}/ready`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`Rekey did not become ready at ${rekeyBase}`);
}

// Only loopback reaches Rekey here; the gateway is the one public door, and TRUST_PROXY=1
// takes the address it appends to X-Forwarded-For.
const rekey = spawn(process.execPath, ['src/main.ts'], {
  env: { ...process.env, FEDERATION: 'true', TRUST_PROXY: '1', HOST, PORT: String(REKEY_PORT) },
  stdio: 'inherit',
});
process.on('exit', () => rekey.kill());
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(0));
void once(rekey, 'exit').then(() => process.exit(1));

await rekeyReady();
const orders = createOrdersServer({ rekeyUrl: rekeyBase }).listen(ORDERS_PORT, HOST);
await once(orders, 'listening');
const supergraph = composeSupergraph(
  exampleSubgraphs({ rekeyUrl: `${rekeyBase}/graphql`, ordersUrl: `http://${HOST}:${ORDERS_PORT}/graphql` }),
);
const gateway = createGatewayServer({ supergraph }).listen(GATEWAY_PORT, HOST);
await once(gateway, 'listening');
console.log(
  `Supergraph: http://${HOST}:${GATEWAY_PORT}/graphql (Rekey ${rekeyBase}/graphql, orders http://${HOST}:${ORDERS_PORT}/graphql)`,
);
