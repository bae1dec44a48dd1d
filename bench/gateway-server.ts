// The gateway side of `npm run bench:gateway`, in a process of its own as in a
// deployment: Hive Gateway and the example's orders subgraph in front of the
// Rekey at REKEY_URL. Prints "gateway <url>" once it listens.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { composeSupergraph, exampleSubgraphs } from '../examples/supergraph/compose.ts';
import { createGatewayServer } from '../examples/supergraph/gateway.ts';
import { createOrdersServer } from '../examples/supergraph/orders.ts';

const rekeyUrl = process.env.REKEY_URL ?? 'http://127.0.0.1:4000';
const orders = createOrdersServer({ rekeyUrl }).listen(0, '127.0.0.1');
await once(orders, 'listening');
const ordersUrl = `http://127.0.0.1:${(orders.address() as AddressInfo).port}/graphql`;
const supergraph = composeSupergraph(exampleSubgraphs({ rekeyUrl: `${rekeyUrl}/graphql`, ordersUrl }));
const gateway = createGatewayServer({ supergraph }).listen(0, '127.0.0.1');
await once(gateway, 'listening');
console.log(`gateway http://127.0.0.1:${(gateway.address() as AddressInfo).port}/graphql`);
