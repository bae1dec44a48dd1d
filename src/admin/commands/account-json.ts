/** How every command names an account in its --json output. */
export interface AccountRef {
  id: string;
  email: string;
}

export function accountRef(user: { id: number; email: string }): AccountRef {
  return { id: String(user.id), email: user.email };
}
