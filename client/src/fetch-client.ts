import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { type GraphQLResponse, isTokenRefused, postGraphQL } from './graphql-request.ts';
import type { RekeySession } from './rekey-session.ts';
import { sessionChangeIn } from './token-pair.ts';

export type RekeyRequest = <TData, TVariables extends Record<string, unknown>>(
  document: TypedDocumentNode<TData, TVariables> | string,
  variables?: TVariables,
) => Promise<GraphQLResponse<TData>>;

/**
 * A `fetch`-based client with the link's rules, for code that does not use Apollo: the bearer
 * token (refreshed when about to expire), one refresh and one retry on the authentication signal,
 * the pairs of `signIn`/`signUp`/`refreshSession`/`changePassword` stored, `signOut` forgotten.
 */
export function createRekeyFetch(session: RekeySession): RekeyRequest {
  return async function request<TData, TVariables extends Record<string, unknown>>(
    document: TypedDocumentNode<TData, TVariables> | string,
    variables?: TVariables,
  ): Promise<GraphQLResponse<TData>> {
    const body = { query: typeof document === 'string' ? document : print(document), variables };
    const token = await session.accessToken();
    let response = await postGraphQL<TData>(session.endpoint, body, token);
    if (token && isTokenRefused(response)) {
      const fresh = await session.refreshAfterRefusal(token);
      if (fresh && fresh !== token) response = await postGraphQL<TData>(session.endpoint, body, fresh);
    }
    await session.apply(sessionChangeIn(response.data));
    return response;
  };
}
