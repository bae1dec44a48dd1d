/** A member of a result union: every one carries `__typename` (select it). */
export interface Typed {
  __typename: string;
}

/** The member of union `T` whose `__typename` is `N`. */
export type Member<T extends Typed, N extends T['__typename']> = Extract<T, { __typename: N }>;

/** True (and `value` narrowed) when `value` is the union member named `name`. */
export function isType<T extends Typed, N extends T['__typename']>(value: T, name: N): value is Member<T, N> {
  return value.__typename === name;
}

/** The union members that are errors: those with `code` and `message` (selected through `... on Error`). */
export type ErrorMember<T> = Extract<T, { code: string; message: string }>;

/** True (and `value` narrowed) when the member is one of the schema's `Error` types. */
export function isError<T extends Typed>(value: T): value is T & ErrorMember<T> {
  return typeof (value as { code?: unknown }).code === 'string';
}

/**
 * Put in the `default` branch of a switch on `__typename`: the switch then stops compiling when
 * the server adds a member the switch does not handle yet.
 */
export function assertNever(value: never, message = 'Unexpected result type'): never {
  throw new Error(`${message}: ${JSON.stringify((value as Typed | null)?.__typename ?? value)}`);
}

/**
 * An exhaustive match over a result union: one handler per member, checked by the compiler.
 * `match(result, { ChangePasswordSuccess: (ok) => …, IncorrectPasswordError: (e) => …, … })`.
 */
export function match<T extends Typed, R>(value: T, handlers: { [N in T['__typename']]: (member: Member<T, N>) => R }): R {
  const handler = handlers[value.__typename as T['__typename']] as (member: T) => R;
  return handler(value);
}
