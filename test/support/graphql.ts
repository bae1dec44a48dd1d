import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';

export interface RequestOptions {
  token?: string | null;
  headers?: Record<string, string>;
}

export interface GraphQLResponse<T> {
  status: number;
  data?: T | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/** A plain `fetch` GraphQL client, as a front end would use, over real HTTP. */
export async function graphql<TResult, TVariables>(
  url: string,
  document: TypedDocumentNode<TResult, TVariables>,
  variables: TVariables,
  { token, headers = {} }: RequestOptions = {},
): Promise<GraphQLResponse<TResult>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: JSON.stringify({ query: print(document), variables }),
  });
  const body = (await response.json()) as Omit<GraphQLResponse<TResult>, 'status'>;
  return { status: response.status, ...body };
}

/** The data of a response that must have no errors. */
export async function run<TResult, TVariables>(
  url: string,
  document: TypedDocumentNode<TResult, TVariables>,
  variables: TVariables,
  options?: RequestOptions,
): Promise<TResult> {
  const response = await graphql(url, document, variables, options);
  if (response.errors?.length || !response.data) {
    throw new Error(`GraphQL errors (HTTP ${response.status}): ${JSON.stringify(response.errors)}`);
  }
  return response.data;
}

/** Narrows a result union to one member, failing with the actual result otherwise. */
export function expectType<T extends { __typename?: string }, N extends NonNullable<T['__typename']>>(
  result: T,
  typename: N,
): Extract<T, { __typename?: N }> {
  if (result.__typename !== typename) {
    throw new Error(`Expected ${typename}, got ${JSON.stringify(result)}`);
  }
  return result as Extract<T, { __typename?: N }>;
}
