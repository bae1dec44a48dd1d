// The typed documents of schema/operations/*.graphql, as `npm run codegen` writes them into the
// client kit: the tests use the very documents and types a client gets.
export * from '../../client/src/generated/graphql.ts';
