/** What GraphiQL opens with, so a newcomer can try the API at once. */
export const exampleDocument = `# Welcome to Rekey. Run SignUp (or SignIn), copy the token into the
# Headers tab as {"Authorization": "Bearer <token>"}, then run Me and ChangePassword.

mutation SignUp {
  signUp(input: { email: "ada@example.com", password: "Analytical-Engine-1843" }) {
    __typename
    ... on AuthPayload { token expiresAt refreshToken session { id } user { id email } }
    ... on Error { code message }
    ... on WeakPasswordError { violations { rule message } }
  }
}

mutation SignIn {
  signIn(input: { email: "ada@example.com", password: "Analytical-Engine-1843" }) {
    __typename
    ... on AuthPayload { token expiresAt refreshToken }
    ... on Error { code message }
  }
}

mutation RefreshSession {
  # Paste the refreshToken of SignIn; each one works once.
  refreshSession(input: { refreshToken: "" }) {
    __typename
    ... on AuthPayload { token refreshToken }
    ... on Error { code message }
  }
}

query Me {
  me { id email createdAt passwordChangedAt sessions { id lastActiveAt userAgent current } }
  passwordPolicy { name minLength maxBytes rules }
}

mutation ChangePassword {
  changePassword(input: { currentPassword: "Analytical-Engine-1843", newPassword: "Difference-Engine-1822" }) {
    __typename
    ... on ChangePasswordSuccess { success message token expiresAt refreshToken }
    ... on Error { code message }
    ... on WeakPasswordError { violations { rule message } }
    ... on RateLimitedError { retryAfterSeconds }
  }
}
`;
