import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { createRekeyLink } from '../../client/src/apollo-link.ts';
import { possibleTypes } from '../../client/src/possible-types.ts';
import { RekeySession } from '../../client/src/rekey-session.ts';
import { memoryTokenStore, type TokenStore } from '../../client/src/token-store.ts';

/** The requests a client sent, by operation name, as they went on the wire. */
export class WireLog {
  readonly operations: string[] = [];
  readonly authorizations: (string | null)[] = [];

  readonly fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const body = JSON.parse(String(init?.body ?? '{}')) as { query?: string };
    this.operations.push(/^\s*(?:query|mutation)\s+(\w+)/.exec(body.query ?? '')?.[1] ?? 'anonymous');
    this.authorizations.push(new Headers(init?.headers).get('authorization'));
    return fetch(input, init);
  };

  count(operation: string): number {
    return this.operations.filter((name) => name === operation).length;
  }
}

/** Apollo Client 4 as the recipe in docs/client.md sets it up, on a body-mode Rekey. */
export function rekeyApollo(graphqlUrl: string, store: TokenStore = memoryTokenStore()) {
  const wire = new WireLog();
  const session = new RekeySession({ url: graphqlUrl, store, fetch: wire.fetch });
  const client = new ApolloClient({
    link: ApolloLink.from([createRekeyLink(session), new HttpLink({ uri: graphqlUrl, fetch: wire.fetch })]),
    cache: new InMemoryCache({ possibleTypes }),
    // Ten identical queries must reach the server as ten requests.
    queryDeduplication: false,
  });
  return { client, session, store, wire };
}
