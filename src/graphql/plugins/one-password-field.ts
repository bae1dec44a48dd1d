import { GraphQLError, Kind, type GraphQLSchema, type SelectionSetNode, type ValidationRule } from 'graphql';

declare module 'graphql' {
  interface GraphQLFieldExtensions<_TSource, _TContext, _TArgs> {
    /**
     * Marks a mutation that checks a password or an emailed link's token (and
     * spends bcrypt work or sends mail): work an attacker wants to multiply.
     * At most one marked field runs per operation. Set it where the field is
     * declared: `t.field({ …, extensions: { passwordField: true } })`.
     */
    passwordField?: boolean;
  }
}

/** The mutation fields `schema` marks `passwordField`, in the schema's order. */
export function passwordFieldsOf(schema: GraphQLSchema): string[] {
  const fields = Object.values(schema.getMutationType()?.getFields() ?? {});
  return fields.filter((field) => field.extensions.passwordField === true).map((field) => field.name);
}

/**
 * At most one password field (see `passwordField`) per operation, counted
 * through aliases, fragments and inline fragments (OWASP: alias-based brute
 * force). A validation rule, so the operation is refused before anything
 * executes. The refusal names the marked fields in `schema`'s order.
 */
export function onePasswordFieldPerOperation(schema: GraphQLSchema): ValidationRule {
  const passwordFields = new Set(passwordFieldsOf(schema));
  const message = `Only one of ${[...passwordFields].join(', ')} may be called per operation.`;
  return (context) => {
    const countIn = (selectionSet: SelectionSetNode, seen: Set<string>): number => {
      let count = 0;
      for (const selection of selectionSet.selections) {
        if (selection.kind === Kind.FIELD) {
          if (passwordFields.has(selection.name.value)) count += 1;
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          count += countIn(selection.selectionSet, seen);
        } else {
          const name = selection.name.value;
          const fragment = context.getFragment(name);
          if (fragment && !seen.has(name)) {
            seen.add(name);
            count += countIn(fragment.selectionSet, seen);
          }
        }
      }
      return count;
    };
    return {
      OperationDefinition(operation) {
        if (operation.operation !== 'mutation') return;
        if (countIn(operation.selectionSet, new Set()) > 1) {
          context.reportError(new GraphQLError(message, { nodes: [operation], extensions: { code: 'TOO_MANY_PASSWORD_FIELDS' } }));
        }
      },
    };
  };
}
