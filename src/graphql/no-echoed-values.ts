import type { Plugin } from 'graphql-yoga';

/**
 * graphql-js quotes the offending input in its refusals — `Variable "$input"
 * got invalid value { email: "…", password: "…", extra: 1 }`, `String cannot
 * represent a non string value: […]`, `Expected Name, found String "…"` — so a
 * request with one wrong field would get its password back in the answer (and
 * in any log of it). These rewrites keep each message's reason and drop the
 * quoted value: a client knows what it sent.
 */
const REWRITES: [RegExp, string | ((match: string, kept: string) => string)][] = [
  // Variable coercion: the whole variable value, then a reason that quotes it again.
  [/^(Variable "\$[_A-Za-z][_0-9A-Za-z]*") got invalid value [\s\S]*$/, '$1 got an invalid value.'],
  // Scalars and enums: "String cannot represent a non string value: …", "ID cannot represent value: …".
  [/^([\s\S]*? cannot represent [^:]*?): [\s\S]*$/, '$1.'],
  // Input objects: "… to include required field "email", found: {…}", "… unknown field "x". [Suggestion hidden] Found: {…}".
  [/^([\s\S]*?)(?:,| \[Suggestion hidden\])? [Ff]ound: [\s\S]*$/, (_match, kept) => `${kept.replace(/\.$/, '')}.`],
  [/^(Expected value of type "[^"]*"), found [\s\S]*$/, '$1.'],
  [/^Value "[\s\S]*" does not exist in ("[^"]*" enum)[\s\S]*$/, 'The value does not exist in the $1.'],
  // Syntax errors name the token they stopped at; a string token is client data.
  [/(found (?:Block)?String) "(?:[^"\\]|\\[\s\S])*"/g, '$1'],
];

export function withoutEchoedValues(message: string): string {
  return REWRITES.reduce(
    (text, [pattern, replacement]) => (typeof replacement === 'string' ? text.replace(pattern, replacement) : text.replace(pattern, replacement)),
    message,
  );
}

/** Applies `withoutEchoedValues` to every refusal of a request (errors of a result without data). */
export function noEchoedValues(): Plugin {
  return {
    onResultProcess({ result }) {
      for (const single of Array.isArray(result) ? result : [result]) {
        if (!('errors' in single) || 'data' in single) continue;
        for (const error of single.errors ?? []) {
          const message = withoutEchoedValues(error.message);
          if (message !== error.message) Object.defineProperty(error, 'message', { value: message, writable: true, configurable: true });
        }
      }
    },
  };
}
