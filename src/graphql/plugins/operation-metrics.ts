import {
  Kind,
  type DocumentNode,
  type ExecutionResult,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLFormattedError,
  type SelectionSetNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** What the plugin reports: one call per query or mutation field answered. */
export type CountOperation = (operation: string, result: string) => void;
/** The seconds the execution that answered a query or mutation field took (resolvers, database, bcrypt). */
export type TimeOperation = (operation: string, seconds: number) => void;

// An alias no client document uses, for the `__typename` the plugin adds and removes again.
const RESULT_TYPE_ALIAS = 'rekeyMetricsResultType';

const resultTypeField: FieldNode = {
  kind: Kind.FIELD,
  alias: { kind: Kind.NAME, value: RESULT_TYPE_ALIAS },
  name: { kind: Kind.NAME, value: '__typename' },
};

const isRootField = (node: FieldNode) => !node.name.value.startsWith('__');

function withResultTypes(selectionSet: SelectionSetNode): SelectionSetNode {
  return {
    ...selectionSet,
    selections: selectionSet.selections.map((selection) => {
      if (selection.kind === Kind.FIELD && selection.selectionSet && isRootField(selection)) {
        return { ...selection, selectionSet: { ...selection.selectionSet, selections: [...selection.selectionSet.selections, resultTypeField] } };
      }
      if (selection.kind === Kind.INLINE_FRAGMENT) return { ...selection, selectionSet: withResultTypes(selection.selectionSet) };
      return selection;
    }),
  };
}

const rootTypeNames = new Set(['Query', 'Mutation']);

/**
 * The document with `rekeyMetricsResultType: __typename` under every root
 * field, so the union member answered can be read from the result whether or
 * not the client asked for `__typename`. Cached per parsed document.
 */
const augmented = new WeakMap<DocumentNode, DocumentNode>();
function documentWithResultTypes(document: DocumentNode): DocumentNode {
  let result = augmented.get(document);
  if (!result) {
    result = {
      ...document,
      definitions: document.definitions.map((definition) => {
        if (definition.kind === Kind.OPERATION_DEFINITION) return { ...definition, selectionSet: withResultTypes(definition.selectionSet) };
        if (definition.kind === Kind.FRAGMENT_DEFINITION && rootTypeNames.has(definition.typeCondition.name.value)) {
          return { ...definition, selectionSet: withResultTypes(definition.selectionSet) };
        }
        return definition;
      }),
    };
    augmented.set(document, result);
  }
  return result;
}

/** The executed operation's root fields: response key (alias or name) → field name. */
function rootFields(document: DocumentNode, operationName: string | null | undefined): Map<string, string> {
  const operation = document.definitions.find(
    (definition) => definition.kind === Kind.OPERATION_DEFINITION && (!operationName || definition.name?.value === operationName),
  );
  const fragments = new Map(
    document.definitions
      .filter((definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION)
      .map((fragment) => [fragment.name.value, fragment]),
  );
  const fields = new Map<string, string>();
  const seen = new Set<string>();
  const collect = (selectionSet: SelectionSetNode) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (isRootField(selection)) fields.set(selection.alias?.value ?? selection.name.value, selection.name.value);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        collect(selection.selectionSet);
      } else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        const fragment = fragments.get(selection.name.value);
        if (fragment) collect(fragment.selectionSet);
      }
    }
  };
  if (operation?.kind === Kind.OPERATION_DEFINITION) collect(operation.selectionSet);
  return fields;
}

/** An error's code as a label (bounded: anything odd counts as `error`). */
function errorLabel(errors: readonly GraphQLFormattedError[] | undefined, key: string): string {
  const error = errors?.find((candidate) => candidate.path?.[0] === key) ?? errors?.[0];
  const code = error?.extensions?.code;
  return typeof code === 'string' && /^[A-Z][A-Z_]{0,39}$/.test(code) ? code : 'error';
}

function countResult(result: ExecutionResult, fields: Map<string, string>, count: CountOperation): void {
  const data = result.data as Record<string, unknown> | null | undefined;
  for (const [key, field] of fields) {
    const value = data?.[key];
    if (value === null || value === undefined) {
      count(field, result.errors?.length ? errorLabel(result.errors, key) : 'null');
    } else if (typeof value === 'object' && !Array.isArray(value)) {
      const answer = value as Record<string, unknown>;
      const typename = answer[RESULT_TYPE_ALIAS];
      delete answer[RESULT_TYPE_ALIAS];
      count(field, typeof typename === 'string' ? typename : 'unknown');
    } else if (Array.isArray(value)) {
      for (const item of value) if (item && typeof item === 'object') delete (item as Record<string, unknown>)[RESULT_TYPE_ALIAS];
      count(field, 'list');
    } else {
      count(field, typeof value);
    }
  }
}

/**
 * Counts every query and mutation field by the result it answered: the union
 * member's `__typename` (`ChangePasswordSuccess`, `WeakPasswordError`, …),
 * the object type for plain fields, or the error code when the field failed;
 * and times the execution that answered it (`time`, once per field name).
 */
export function operationMetrics(count: CountOperation, time: TimeOperation = () => undefined): Plugin {
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const started = performance.now();
      const fields = rootFields(args.document, args.operationName);
      setExecuteFn((executionArgs) => executeFn({ ...executionArgs, document: documentWithResultTypes(executionArgs.document) }));
      return {
        onExecuteDone({ result }) {
          // Streams (defer/stream) are not enabled in this server; only single results are counted.
          if (Symbol.asyncIterator in result) return;
          const seconds = (performance.now() - started) / 1000;
          for (const field of new Set(fields.values())) time(field, seconds);
          countResult(result, fields, count);
        },
      };
    },
  };
}
