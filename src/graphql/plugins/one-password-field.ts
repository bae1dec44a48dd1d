import { GraphQLError, Kind, type ASTVisitor, type SelectionSetNode, type ValidationContext } from 'graphql';

/**
 * Root fields that check a password or an emailed link's token (and spend
 * bcrypt work or send mail): work an attacker wants to multiply.
 */
export const PASSWORD_FIELDS = new Set(['signUp', 'signIn', 'changePassword', 'requestPasswordReset', 'resetPassword', 'secureAccount']);

/**
 * At most one password-checking field per operation, counted through
 * aliases, fragments and inline fragments (OWASP: alias-based brute force).
 * A validation rule, so the operation is refused before anything executes.
 */
export function onePasswordFieldPerOperation(context: ValidationContext): ASTVisitor {
  const countIn = (selectionSet: SelectionSetNode, seen: Set<string>): number => {
    let count = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (PASSWORD_FIELDS.has(selection.name.value)) count += 1;
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
        context.reportError(
          new GraphQLError(`Only one of ${[...PASSWORD_FIELDS].join(', ')} may be called per operation.`, {
            nodes: [operation],
            extensions: { code: 'TOO_MANY_PASSWORD_FIELDS' },
          }),
        );
      }
    },
  };
}
