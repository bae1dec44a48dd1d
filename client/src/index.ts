export { browserTokenStore } from './browser-token-store.ts';
export * from './generated/graphql.ts';
export { possibleTypes } from './possible-types.ts';
export { createRekeyFetch, type RekeyRequest } from './fetch-client.ts';
export { type Endpoint, type FetchFunction, type GraphQLResponse, isTokenRefused } from './graphql-request.ts';
export { assertNever, type ErrorMember, isError, isType, type Member, match, type Typed } from './narrow.ts';
export { RekeySession, type RekeySessionOptions, type SessionState } from './rekey-session.ts';
export { memoryTokenStore, type TokenPair, type TokenStore } from './token-store.ts';
export { type KeyValueStorage, webStorageTokenStore } from './web-storage-token-store.ts';
