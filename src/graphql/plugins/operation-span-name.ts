import { getOperationAST, Kind } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { nameRequestSpan } from '../../observability/tracing.ts';

/** A GraphQL name (what an operation name must be), bounded: anything else is not used in a span. */
const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,99}$/;

/**
 * With tracing on, the request's span is named by its operation, e.g.
 * `mutation ChangePassword`, or by its first field when it has no name
 * (`mutation changePassword`). Never the document or its variables.
 */
export function operationSpanName(): Plugin {
  return {
    onExecute({ args }) {
      const operation = getOperationAST(args.document, args.operationName);
      if (operation === null || operation === undefined) return;
      const firstField = operation.selectionSet.selections.find((selection) => selection.kind === Kind.FIELD);
      const given = operation.name?.value;
      const name = given !== undefined && GRAPHQL_NAME.test(given) ? given : firstField?.kind === Kind.FIELD ? firstField.name.value : 'anonymous';
      nameRequestSpan(`${operation.operation} ${name}`, { 'graphql.operation.type': operation.operation, 'graphql.operation.name': name });
    },
  };
}
