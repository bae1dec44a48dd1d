import result from './generated/possible-types.ts';

/**
 * Apollo Client's `possibleTypes` for Rekey's schema: `new InMemoryCache({ possibleTypes })`.
 * Without it the cache cannot tell that `IncorrectPasswordError` is an `Error`, and every field
 * selected through `... on Error { code message }` comes back undefined.
 */
export const possibleTypes: Record<string, string[]> = result.possibleTypes;
