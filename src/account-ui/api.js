// The page's only contact with the server: GraphQL over fetch, as any browser client would use it.
// Cookie mode: the refresh token lives in an HttpOnly cookie that this code never sees; the access
// token lives in this module's memory only (never in storage), and is renewed with `refreshSession`.

const ENDPOINT = '/graphql';

/** A failure of the request itself (network, server error, unknown operation), not a typed result. */
export class ApiError extends Error {
  constructor(message, { unsupported = false } = {}) {
    super(message);
    this.name = 'ApiError';
    /** True when the server does not know the operation (an older Rekey): the page hides that feature. */
    this.unsupported = unsupported;
  }
}

let accessToken = null;

export const isSignedIn = () => accessToken !== null;

function remember(payload) {
  accessToken = payload.token;
  if (payload.deviceToken && payload.user) keepDevice(payload.user.email, payload.deviceToken);
}

// Device tokens (docs/api/limits.md#device-tokens): a browser that signed in before, or completed a
// recovery, presents its token at sign-in, which attacks on the account then cannot refuse. In cookie
// mode the server keeps it in an HttpOnly cookie and answers null, so nothing is stored here; without
// cookie sessions it is kept in localStorage, one per email. It is no credential on its own: a sign-in
// still needs the password. A recovery's answer does not say the email, so its token waits under one
// key until the next sign-in, which answers the same token back for that email (another account's is ignored).
const DEVICE_KEY = 'rekey.device:';
const RECOVERED_DEVICE_KEY = 'rekey.device.recovered';
const deviceKey = (email) => `${DEVICE_KEY}${String(email).trim().toLowerCase()}`;

function store(key, value) {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    // Storage refused (private mode, quota): the browser simply stays untrusted.
  }
}

function stored(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function keepDevice(email, deviceToken) {
  store(deviceKey(email), deviceToken);
  // The recovered token was this email's: the server answered it back.
  if (stored(RECOVERED_DEVICE_KEY) === deviceToken) store(RECOVERED_DEVICE_KEY, null);
}

// A recovery's token first: the recovery voided every older token of its account.
const deviceTokenFor = (email) => stored(RECOVERED_DEVICE_KEY) ?? stored(deviceKey(email));

/** A completed reset or "This wasn't me" made this browser trusted. */
function keepRecoveredDevice(result) {
  if (result.deviceToken) store(RECOVERED_DEVICE_KEY, result.deviceToken);
}

export function forget() {
  accessToken = null;
}

async function request(query, variables) {
  let response;
  try {
    response = await fetch(ENDPOINT, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        // Yoga's CSRF guard: cross-site forms cannot set a custom header.
        'x-graphql-yoga-csrf': '1',
        ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new ApiError('The server cannot be reached. Check your connection and try again.');
  }
  let body;
  try {
    body = await response.json();
  } catch {
    throw new ApiError('The server gave an answer this page does not understand. Please try again.');
  }
  const error = body.errors?.[0];
  if (error) {
    const code = error.extensions?.code;
    if (code === 'SERVICE_UNAVAILABLE') throw new ApiError('Service temporarily unavailable. Please try again.');
    if (code === 'GRAPHQL_VALIDATION_FAILED') throw new ApiError('This server does not offer that yet.', { unsupported: true });
    throw new ApiError('Something went wrong on the server. Please try again.');
  }
  return body.data;
}

const FAILURE = /* GraphQL */ `
  fragment Failure on Error {
    code
    message
    ... on ValidationError { fieldErrors { path message } }
    ... on WeakPasswordError { violations { rule message } }
    ... on RateLimitedError { retryAfterSeconds }
  }`;

const SESSION = /* GraphQL */ `token expiresAt deviceToken user { id email }`;

let refreshing = null;

/** Trades the refresh cookie for a new access token; true when signed in afterwards. One at a time. */
export function refresh() {
  refreshing ??= (async () => {
    try {
      const { refreshSession: result } = await request(
        `mutation RefreshSession { refreshSession { __typename ... on AuthPayload { ${SESSION} } ...Failure } } ${FAILURE}`,
        {},
      );
      if (result.__typename === 'AuthPayload') {
        remember(result);
        return true;
      }
      forget();
      return false;
    } catch (error) {
      // A server without cookie sessions cannot resume one: the visitor signs in.
      if (error instanceof ApiError && error.unsupported) {
        forget();
        return false;
      }
      throw error;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

/** Runs an operation with the access token; when the token has expired, refreshes once and retries. */
async function authenticated(query, variables, isSessionRefused) {
  const data = await request(query, variables);
  if (!isSessionRefused(data) || !(await refresh())) return data;
  return request(query, variables);
}

const refusedSession = (field) => (data) => data[field]?.__typename === 'InvalidSessionError';

// ---- signed out

export async function signIn(input) {
  const { signIn: result } = await request(
    `mutation SignIn($input: SignInInput!) { signIn(input: $input) { __typename ... on AuthPayload { ${SESSION} }
      ... on SecondFactorChallenge { challengeToken expiresAt } ...Failure } } ${FAILURE}`,
    { input: { ...input, deviceToken: deviceTokenFor(input.email) } },
  );
  if (result.__typename === 'AuthPayload') remember(result);
  return result;
}

/** The second step of a sign-in that answered SecondFactorChallenge. */
export async function verifySecondFactor(input) {
  const { verifySecondFactor: result } = await request(
    `mutation VerifySecondFactor($input: VerifySecondFactorInput!) { verifySecondFactor(input: $input) {
      __typename ... on AuthPayload { ${SESSION} } ...Failure } } ${FAILURE}`,
    { input },
  );
  if (result.__typename === 'AuthPayload') remember(result);
  return result;
}

export async function signUp(input) {
  const { signUp: result } = await request(
    `mutation SignUp($input: SignUpInput!) { signUp(input: $input) { __typename ... on AuthPayload { ${SESSION} } ...Failure } } ${FAILURE}`,
    { input },
  );
  if (result.__typename === 'AuthPayload') remember(result);
  return result;
}

export async function passwordPolicy() {
  const { passwordPolicy: policy } = await request(
    `query PasswordPolicy { passwordPolicy { name minLength maxBytes requireUppercase requireLowercase requireDigit
      requireSpecial rejectCommon rejectEmail rejectBreached history } }`,
    {},
  );
  return policy;
}

export async function requestPasswordReset(input) {
  const { requestPasswordReset: result } = await request(
    `mutation RequestPasswordReset($input: RequestPasswordResetInput!) { requestPasswordReset(input: $input) {
      __typename ... on RequestPasswordResetSuccess { success message } ...Failure } } ${FAILURE}`,
    { input },
  );
  return result;
}

export async function resetPassword(input) {
  const { resetPassword: result } = await request(
    `mutation ResetPassword($input: ResetPasswordInput!) { resetPassword(input: $input) {
      __typename ... on ResetPasswordSuccess { success message deviceToken } ...Failure } } ${FAILURE}`,
    { input },
  );
  if (result.__typename === 'ResetPasswordSuccess') keepRecoveredDevice(result);
  return result;
}

export async function secureAccount(input) {
  const { secureAccount: result } = await request(
    `mutation SecureAccount($input: SecureAccountInput!) { secureAccount(input: $input) {
      __typename ... on SecureAccountSuccess { success message deviceToken } ...Failure } } ${FAILURE}`,
    { input },
  );
  if (result.__typename === 'SecureAccountSuccess') keepRecoveredDevice(result);
  return result;
}

/** The address's links: `verifyEmail`, `confirmEmailChange`, `requestEmailVerification`. */
async function simpleMutation(field, inputType, successType, input, extra = '') {
  const data = await request(
    `mutation Run($input: ${inputType}!) { ${field}(input: $input) { __typename ... on ${successType} { success message ${extra} } ...Failure } } ${FAILURE}`,
    { input },
  );
  return data[field];
}

export const verifyEmail = (input) => simpleMutation('verifyEmail', 'VerifyEmailInput', 'VerifyEmailSuccess', input);
export const confirmEmailChange = (input) => simpleMutation('confirmEmailChange', 'ConfirmEmailChangeInput', 'ConfirmEmailChangeSuccess', input, 'email');
export const requestEmailVerification = (input) =>
  simpleMutation('requestEmailVerification', 'RequestEmailVerificationInput', 'RequestEmailVerificationSuccess', input);

// ---- signed in

/** The signed-in user, or null when the session has ended. */
export async function me() {
  const data = await authenticated(
    `query Me { me { id email emailVerified createdAt passwordChangedAt secondFactor { totp recoveryCodesLeft } } }`,
    {},
    (d) => d.me === null,
  );
  if (data.me === null) forget();
  return data.me;
}

export async function changePassword(input) {
  const { changePassword: result } = await authenticated(
    `mutation ChangePassword($input: ChangePasswordInput!) { changePassword(input: $input) {
      __typename ... on ChangePasswordSuccess { success message ${SESSION} } ...Failure } } ${FAILURE}`,
    { input },
    refusedSession('changePassword'),
  );
  // The old access token stopped working: the answer carries the renewed session's.
  if (result.__typename === 'ChangePasswordSuccess') remember(result);
  if (result.__typename === 'InvalidSessionError') forget();
  return result;
}

export async function requestEmailChange(input) {
  const { requestEmailChange: result } = await authenticated(
    `mutation RequestEmailChange($input: RequestEmailChangeInput!) { requestEmailChange(input: $input) {
      __typename ... on RequestEmailChangeSuccess { success message } ...Failure } } ${FAILURE}`,
    { input },
    refusedSession('requestEmailChange'),
  );
  return result;
}

/** Deletes the account; the page forgets its token when it is gone. */
export async function deleteAccount(input) {
  const { deleteAccount: result } = await authenticated(
    `mutation DeleteAccount($input: DeleteAccountInput!) { deleteAccount(input: $input) {
      __typename ... on DeleteAccountSuccess { success message } ...Failure } } ${FAILURE}`,
    { input },
    refusedSession('deleteAccount'),
  );
  if (result.__typename === 'DeleteAccountSuccess' || result.__typename === 'InvalidSessionError') forget();
  return result;
}

/** The viewer's active sessions, most recent first; null when the session has ended. */
export async function sessions() {
  const data = await authenticated(
    `query Sessions { me { sessions { id createdAt lastActiveAt expiresAt ipAddress userAgent device current } } }`,
    {},
    (d) => d.me === null,
  );
  return data.me?.sessions ?? null;
}

/** One page of the viewer's security events, newest first; null when the session has ended. */
export async function securityEvents(after = null) {
  const data = await authenticated(
    `query SecurityEvents($after: String) { me { securityEvents(first: 20, after: $after) {
      edges { node { id kind occurredAt ipAddress userAgent device } } pageInfo { hasNextPage endCursor } } } }`,
    { after },
    (d) => d.me === null,
  );
  return data.me?.securityEvents ?? null;
}

export async function revokeSession(sessionId) {
  const { revokeSession: result } = await authenticated(
    `mutation RevokeSession($input: RevokeSessionInput!) { revokeSession(input: $input) {
      __typename ... on SignOutSuccess { success revokedSessions } ...Failure } } ${FAILURE}`,
    { input: { sessionId } },
    refusedSession('revokeSession'),
  );
  return result;
}

/** Ends this session (or every session of the account); the page forgets its token whatever the answer. */
export async function signOut({ everywhere = false } = {}) {
  try {
    const { signOut: result } = await authenticated(
      `mutation SignOut($input: SignOutInput) { signOut(input: $input) {
        __typename ... on SignOutSuccess { success revokedSessions } ... on Error { code message } } }`,
      { input: { everywhere } },
      refusedSession('signOut'),
    );
    return result;
  } finally {
    forget();
  }
}

// ---- two-step verification (TOTP); the secret and the recovery codes are shown once and never stored here

const RECOVERY_CODES = /* GraphQL */ `recoveryCodes`;

export async function startTotpEnrollment(input) {
  const { startTotpEnrollment: result } = await authenticated(
    `mutation StartTotpEnrollment($input: StartTotpEnrollmentInput!) { startTotpEnrollment(input: $input) {
      __typename ... on StartTotpEnrollmentSuccess { secret uri qrCodeSvg } ...Failure } } ${FAILURE}`,
    { input },
    refusedSession('startTotpEnrollment'),
  );
  return result;
}

export async function confirmTotpEnrollment(input) {
  const { confirmTotpEnrollment: result } = await authenticated(
    `mutation ConfirmTotpEnrollment($input: ConfirmTotpEnrollmentInput!) { confirmTotpEnrollment(input: $input) {
      __typename ... on ConfirmTotpEnrollmentSuccess { ${RECOVERY_CODES} } ...Failure } } ${FAILURE}`,
    { input },
    refusedSession('confirmTotpEnrollment'),
  );
  return result;
}

export async function regenerateRecoveryCodes(input) {
  const { regenerateRecoveryCodes: result } = await authenticated(
    `mutation RegenerateRecoveryCodes($input: RegenerateRecoveryCodesInput!) { regenerateRecoveryCodes(input: $input) {
      __typename ... on RegenerateRecoveryCodesSuccess { ${RECOVERY_CODES} } ...Failure } } ${FAILURE}`,
    { input },
    refusedSession('regenerateRecoveryCodes'),
  );
  return result;
}

export async function disableTotp(input) {
  const { disableTotp: result } = await authenticated(
    `mutation DisableTotp($input: DisableTotpInput!) { disableTotp(input: $input) {
      __typename ... on DisableTotpSuccess { success message } ...Failure } } ${FAILURE}`,
    { input },
    refusedSession('disableTotp'),
  );
  return result;
}
