import type { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { exposedErrorDetails } from './exposed-error-details.ts';
import { syntaxErrorMessage } from './syntax-error-message.ts';

// What an error answer may tell a client. GraphQL's own messages for a value
// of the wrong shape quote the value ("Variable "$input" got invalid value
// { email: …, password: "…" }; … found: …"), in variables and in document
// literals alike, and may suggest field names. No answer may echo a submitted
// value (the password included), so those messages are rebuilt from what is
// safe in them: the variable, the path, and names from the schema.

/** A type reference as GraphQL prints it: `SignInInput`, `[String!]!`. */
const TYPE = String.raw`[A-Za-z_][\w]*|\[[\w!\[\]]+\]!?`;
const REASONS: [RegExp, (match: RegExpExecArray) => string][] = [
  [new RegExp(String.raw`^Expected value of type "(${TYPE}!?)" to include required field "(\w+)"`), (m) => `Expected value of type "${m[1]}" to include required field "${m[2]}".`],
  [new RegExp(String.raw`^Expected value of type "(${TYPE}!?)" not to include unknown field`), (m) => `Expected value of type "${m[1]}" not to include unknown fields.`],
  [new RegExp(String.raw`^Expected (?:a )?value of non-null type "(${TYPE}!?)" (to be provided|not to be null)`), (m) => `Expected a value of non-null type "${m[1]}" ${m[2]}.`],
  [new RegExp(String.raw`^Expected value of type "(${TYPE}!?)"`), (m) => `Expected a value of type "${m[1]}".`],
  [/^(?:Enum )?"?(\w+)"? cannot represent/, (m) => `Expected a value of type "${m[1]}".`],
];
/** graphql-js's suggestion list: schema names only, so safe to keep where suggestions are allowed. */
const SUGGESTION = /Did you mean (?:"\w+"(?:, |,? or )?)+\?/;
/** `Variable "$input" got invalid value <the value>[ at "input.password"]; <reason>` (graphql-tools' executor). */
const VARIABLE = /^Variable "\$(\w+)" got invalid value /;
/** The path graphql-tools prints: variable name, then `.field` or `[index]`; a quoted value cannot end like this. */
const VARIABLE_PATH = / at "(\w+(?:\.\w+|\[\d+\])*)"$/;

function safeReason(reason: string, suggestions: boolean): string | null {
  for (const [pattern, rebuild] of REASONS) {
    const match = pattern.exec(reason);
    if (match === null) continue;
    const suggestion = suggestions ? SUGGESTION.exec(reason)?.[0] : undefined;
    return suggestion ? `${rebuild(match)} ${suggestion}` : rebuild(match);
  }
  return null;
}

/**
 * The message without any submitted value, or null when the message is not
 * one that quotes values. Unknown reasons are dropped rather than passed on.
 */
export function echoFreeMessage(error: GraphQLError, suggestions: boolean): string | null {
  const variable = VARIABLE.exec(error.message);
  if (variable) {
    // The reason is the original error's message; what precedes it is the quoted value and the path.
    const reason = error.originalError?.message ?? '';
    const prefix = error.message.endsWith(`; ${reason}`) ? error.message.slice(0, error.message.length - reason.length - 2) : '';
    const path = VARIABLE_PATH.exec(prefix)?.[1];
    const safe = safeReason(reason, suggestions);
    return `Variable "$${variable[1]}" got an invalid value${path ? ` at "${path}"` : ''}${safe ? `; ${safe}` : '.'}`;
  }
  const syntax = syntaxErrorMessage(error.message);
  if (syntax !== null) return syntax;
  if (error.extensions['code'] !== 'GRAPHQL_VALIDATION_FAILED') return null;
  if (!/found:|cannot represent/i.test(error.message)) return null;
  return safeReason(error.message, suggestions) ?? 'Expected a value of another type.';
}

/**
 * Rewrites value-quoting messages (with suggestions only outside production)
 * and, unless details are exposed on purpose, drops `originalError` from every
 * error's extensions (Yoga puts the JSON parser's message, which quotes the
 * body, there even in production); exposed, it is redacted.
 */
export function errorDisclosure({ suggestions, exposeDetails }: { suggestions: boolean; exposeDetails: boolean }): Plugin {
  return {
    onResultProcess({ result }) {
      if (Symbol.asyncIterator in result) return;
      for (const single of Array.isArray(result) ? result : [result]) {
        if (!('errors' in single)) continue;
        for (const error of single.errors ?? []) {
          const message = echoFreeMessage(error, suggestions);
          if (message !== null) error.message = message;
          if (!('originalError' in error.extensions)) continue;
          const extensions = error.extensions as Record<string, unknown>;
          if (exposeDetails) extensions['originalError'] = exposedErrorDetails(extensions['originalError']);
          else delete extensions['originalError'];
        }
      }
    },
  };
}
