// graphql-js's syntax errors quote the token they stopped at (`Expected ":", found String "<the password>".`)
// and, from the lexer, the characters around it. A syntax error keeps its kind of token and drops the text.

/** `<Kind> "<value>"` at the end of a parser message; the value may itself hold quotes, hence the greedy match. */
const TOKEN_TEXT = /\b(Name|String|BlockString|Int|Float|Comment) ".*"(?=\.$| is reserved and cannot be used)/s;
/** The lexer's quoted characters at the end: `Unexpected character: "x".`, `… escape sequence: "\q".` */
const LEXER_TEXT = /:\s*(?:"[\s\S]*"|U\+[0-9A-F]{4,6})\.$/;
const DIGIT_EXPECTED = / but got: (?:"[\s\S]*"|U\+[0-9A-F]{4,6})\.$/;
/** `Invalid number, expected digit before ".", did you mean "0.<digits>"?` */
const NUMBER_HINT = /, did you mean "[\s\S]*"\?$/;

/** The message without the document's text, or null when it is not a syntax error. */
export function syntaxErrorMessage(message: string): string | null {
  if (!message.startsWith('Syntax Error: ')) return null;
  return message.replace(TOKEN_TEXT, '$1').replace(DIGIT_EXPECTED, ' but got another character.').replace(LEXER_TEXT, '.').replace(NUMBER_HINT, '.');
}
