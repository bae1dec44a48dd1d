import { ChangePasswordDocument, SignInDocument, SignUpDocument, type ChangePasswordInput } from '../generated/graphql.ts';
import { expectType, run, type RequestOptions } from './graphql.ts';

let counter = 0;

/** A fresh, unique email for each account a test creates. */
export function uniqueEmail(prefix = 'user'): string {
  counter += 1;
  return `${prefix}.${process.pid}.${counter}.${Date.now().toString(36)}@example.com`;
}

export const PASSWORD = 'Correct-Horse-9';

export async function signUp(url: string, email = uniqueEmail(), password = PASSWORD) {
  const { signUp: result } = await run(url, SignUpDocument, { input: { email, password } });
  return { email, password, ...expectType(result, 'AuthPayload') };
}

export async function signIn(url: string, email: string, password: string, options?: RequestOptions) {
  const { signIn: result } = await run(url, SignInDocument, { input: { email, password } }, options);
  return result;
}

export async function changePassword(url: string, token: string | null, input: ChangePasswordInput, options: RequestOptions = {}) {
  const { changePassword: result } = await run(url, ChangePasswordDocument, { input }, { ...options, token });
  return result;
}
