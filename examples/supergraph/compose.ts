// Composes subgraph SDLs into the supergraph the gateway serves, with The Guild's
// @theguild/federation-composition (MIT; Apollo's @apollo/composition is under the
// Elastic License 2.0). `npm run federation:check` (part of `npm run check`) composes
// schema/subgraph.graphql with the example's orders subgraph and fails when they do not compose.
import { readFileSync } from 'node:fs';
import { composeServices, compositionHasErrors } from '@theguild/federation-composition';
import { parse } from 'graphql';
import { ORDERS_SDL } from './orders-schema.ts';

export interface SubgraphSource {
  name: string;
  /** Where the gateway sends this subgraph's part of each operation. */
  url: string;
  sdl: string;
}

/** The supergraph SDL, or an error listing every composition failure. */
export function composeSupergraph(subgraphs: SubgraphSource[]): string {
  const result = composeServices(subgraphs.map(({ name, url, sdl }) => ({ name, url, typeDefs: parse(sdl) })));
  if (compositionHasErrors(result)) {
    throw new Error(`The subgraphs do not compose:\n${result.errors.map((error) => `- ${error.message}`).join('\n')}`);
  }
  return result.supergraphSdl;
}

/** Rekey's printed subgraph SDL (`npm run schema` writes it). */
export function rekeySubgraphSdl(path = new URL('../../schema/subgraph.graphql', import.meta.url)): string {
  return readFileSync(path, 'utf8');
}

/** The example's two subgraphs, at the addresses given. */
export function exampleSubgraphs(
  { rekeyUrl, ordersUrl }: { rekeyUrl: string; ordersUrl: string },
  rekeySdl = rekeySubgraphSdl(),
): SubgraphSource[] {
  return [
    { name: 'rekey', url: rekeyUrl, sdl: rekeySdl },
    { name: 'orders', url: ordersUrl, sdl: ORDERS_SDL },
  ];
}

if (import.meta.main) {
  try {
    composeSupergraph(exampleSubgraphs({ rekeyUrl: 'http://rekey/graphql', ordersUrl: 'http://orders/graphql' }));
    console.log('schema/subgraph.graphql composes with the example orders subgraph.');
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  }
}
