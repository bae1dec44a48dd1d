// The page's only contact with the server: GraphQL over fetch, as any browser client would use it.
// Cookie mode: the refresh token lives in an HttpOnly cookie that this code never sees; the access
// token lives in this module's memory only (never in storage), and is renewed with `refreshSession`.
// Body mode (the server's default): the server answers the refresh token in the body, so the pair is
// kept in localStorage, shared by the page's tabs, and a reload resumes the session from it.
// The refresh rules are the client kit's (docs/client.md): refresh once ahead of expiry or when the
// server refuses the token (the authentication signal), one refresh at a time across tabs (a Web
// Lock, then the stored pair is read again), the rotated pair stored, signed out when it fails.

import * as documents from './documents.js';

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
/** Client-clock time after which the access token is refreshed before use. */
let refreshAt = 0;

export const isSignedIn = () => accessToken !== null;

// Body mode's pair: { accessToken, expiresAt, refreshToken, refreshAt }, the kit's webStorageTokenStore format.
const SESSION_KEY = 'rekey.session';

function storedPair() {
  try {
    const pair = JSON.parse(stored(SESSION_KEY) ?? 'null');
    return typeof pair?.refreshToken === 'string' ? pair : null;
  } catch {
    return null;
  }
}

/** The token's life (exp - iat) from the JWT, to refresh it a quarter of its life (at most 30 s) early. */
function refreshTimeFor(token, expiresAt) {
  let lifetime = Date.parse(expiresAt) - Date.now();
  try {
    const { iat, exp } = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
    lifetime = (exp - iat) * 1000;
  } catch {
    // Not a JWT we can read: the answer's expiresAt will do.
  }
  return Date.now() + lifetime - Math.min(30_000, lifetime / 4);
}

function remember(payload) {
  accessToken = payload.token;
  refreshAt = refreshTimeFor(payload.token, payload.expiresAt);
  if (payload.refreshToken) {
    store(SESSION_KEY, JSON.stringify({ accessToken, expiresAt: payload.expiresAt, refreshToken: payload.refreshToken, refreshAt }));
  }
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
  store(SESSION_KEY, null);
}

async function request(query, variables) {
  const { data } = await send(query, variables, accessToken);
  return data;
}

/** The answer's data, and `authentication`: the server's refusal of the token sent (the signal). */
async function send(query, variables, token) {
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
        ...(token ? { authorization: `Bearer ${token}` } : {}),
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
    // Not valid here, or (TRUSTED_DOCUMENTS) not in the server's manifest: a server older than this page.
    if (code === 'GRAPHQL_VALIDATION_FAILED' || code === 'UNTRUSTED_DOCUMENT') throw new ApiError('This server does not offer that yet.', { unsupported: true });
    throw new ApiError('Something went wrong on the server. Please try again.');
  }
  return { data: body.data, authentication: body.extensions?.authentication ?? null };
}

let refreshing = null;

/** Trades the refresh token (body mode) or cookie for a new pair; true when signed in afterwards. */
export function refresh(stale = accessToken) {
  refreshing ??= withTabLock(() => refreshUnlessDone(stale)).finally(() => {
    refreshing = null;
  });
  return refreshing;
}

// One tab refreshes at a time; the others then find its pair in storage (body mode).
// localStorage reaches other tabs asynchronously, and nothing orders that before the lock's next
// grant: the refreshing tab keeps the lock a moment after its refresh (it does not wait itself),
// as the client kit does, so a waiting tab reads the new pair instead of refreshing again.
const LOCK_LINGER_MS = 200;

function withTabLock(task) {
  if (!navigator.locks) return task();
  return new Promise((resolve, reject) => {
    navigator.locks
      .request('rekey-refresh', async () => {
        try {
          resolve(await task());
        } catch (error) {
          reject(error);
          return;
        }
        await new Promise((settled) => setTimeout(settled, LOCK_LINGER_MS));
      })
      .catch(reject);
  });
}

async function refreshUnlessDone(stale) {
  const pair = storedPair();
  if (pair && pair.accessToken !== stale && Date.now() < pair.refreshAt) {
    accessToken = pair.accessToken;
    refreshAt = pair.refreshAt;
    return true;
  }
  try {
    const { data } = await send(
      documents.REFRESH_SESSION,
      pair ? { input: { refreshToken: pair.refreshToken } } : {},
      null,
    );
    const result = data.refreshSession;
    if (result.__typename === 'AuthPayload') {
      remember(result);
      return true;
    }
    // Rate limited: the session may be fine; this request goes without.
    if (result.__typename !== 'RateLimitedError') forget();
    return false;
  } catch (error) {
    // A server without cookie sessions cannot resume one: the visitor signs in.
    if (error instanceof ApiError && error.unsupported) {
      forget();
      return false;
    }
    throw error;
  }
}

/** This tab's access token for a request, refreshed first when it is about to expire (or another tab has a newer one). */
async function currentToken() {
  const pair = storedPair();
  if (pair && pair.accessToken !== accessToken && Date.now() < pair.refreshAt) {
    accessToken = pair.accessToken;
    refreshAt = pair.refreshAt;
  }
  if (accessToken && Date.now() >= refreshAt) await refresh(accessToken);
  return accessToken;
}

/**
 * Runs an operation with the access token; when the server refuses it (the authentication signal,
 * or on an older server the answer `isSessionRefused` recognises), refreshes once and retries.
 */
async function authenticated(query, variables, isSessionRefused) {
  const token = await currentToken();
  const { data, authentication } = await send(query, variables, token);
  const refused = authentication === 'INVALID_TOKEN' || isSessionRefused(data);
  if (!token || !refused || !(await refresh(token)) || accessToken === token) return data;
  return (await send(query, variables, accessToken)).data;
}

const refusedSession = (field) => (data) => data[field]?.__typename === 'InvalidSessionError';

// ---- signed out

export async function signIn(input) {
  const { signIn: result } = await request(
    documents.SIGN_IN,
    { input: { ...input, deviceToken: deviceTokenFor(input.email) } },
  );
  if (result.__typename === 'AuthPayload') remember(result);
  return result;
}

/** The second step of a sign-in that answered SecondFactorChallenge. */
export async function verifySecondFactor(input) {
  const { verifySecondFactor: result } = await request(
    documents.VERIFY_SECOND_FACTOR,
    { input },
  );
  if (result.__typename === 'AuthPayload') remember(result);
  return result;
}

export async function signUp(input) {
  const { signUp: result } = await request(
    documents.SIGN_UP,
    { input },
  );
  if (result.__typename === 'AuthPayload') remember(result);
  return result;
}

export async function passwordPolicy() {
  const { passwordPolicy: policy } = await request(
    documents.PASSWORD_POLICY,
    {},
  );
  return policy;
}

export async function requestPasswordReset(input) {
  const { requestPasswordReset: result } = await request(
    documents.REQUEST_PASSWORD_RESET,
    { input },
  );
  return result;
}

export async function resetPassword(input) {
  const { resetPassword: result } = await request(
    documents.RESET_PASSWORD,
    { input },
  );
  if (result.__typename === 'ResetPasswordSuccess') keepRecoveredDevice(result);
  return result;
}

export async function secureAccount(input) {
  const { secureAccount: result } = await request(
    documents.SECURE_ACCOUNT,
    { input },
  );
  if (result.__typename === 'SecureAccountSuccess') keepRecoveredDevice(result);
  return result;
}

/** The address's links: `verifyEmail`, `confirmEmailChange`, `requestEmailVerification`. */
async function simpleMutation(field, document, input) {
  const data = await request(document, { input });
  return data[field];
}

export const verifyEmail = (input) => simpleMutation('verifyEmail', documents.VERIFY_EMAIL, input);
export const confirmEmailChange = (input) => simpleMutation('confirmEmailChange', documents.CONFIRM_EMAIL_CHANGE, input);
export const requestEmailVerification = (input) => simpleMutation('requestEmailVerification', documents.REQUEST_EMAIL_VERIFICATION, input);

// ---- signed in

/** The signed-in user, or null when the session has ended. */
export async function me() {
  const data = await authenticated(documents.ME, {}, (d) => d.me === null);
  if (data.me === null) forget();
  return data.me;
}

export async function changePassword(input) {
  const { changePassword: result } = await authenticated(
    documents.CHANGE_PASSWORD,
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
    documents.REQUEST_EMAIL_CHANGE,
    { input },
    refusedSession('requestEmailChange'),
  );
  return result;
}

/** Deletes the account; the page forgets its token when it is gone. */
export async function deleteAccount(input) {
  const { deleteAccount: result } = await authenticated(
    documents.DELETE_ACCOUNT,
    { input },
    refusedSession('deleteAccount'),
  );
  if (result.__typename === 'DeleteAccountSuccess' || result.__typename === 'InvalidSessionError') forget();
  return result;
}

/** The viewer's active sessions, most recent first; null when the session has ended. */
export async function sessions() {
  const data = await authenticated(
    documents.SESSIONS,
    {},
    (d) => d.me === null,
  );
  return data.me?.sessions ?? null;
}

/** One page of the viewer's security events, newest first; null when the session has ended. */
export async function securityEvents(after = null) {
  const data = await authenticated(
    documents.SECURITY_EVENTS,
    { after },
    (d) => d.me === null,
  );
  return data.me?.securityEvents ?? null;
}

export async function revokeSession(sessionId) {
  const { revokeSession: result } = await authenticated(
    documents.REVOKE_SESSION,
    { input: { sessionId } },
    refusedSession('revokeSession'),
  );
  return result;
}

/** Ends this session (or every session of the account); the page forgets its token whatever the answer. */
export async function signOut({ everywhere = false } = {}) {
  try {
    const { signOut: result } = await authenticated(
      documents.SIGN_OUT,
      { input: { everywhere } },
      refusedSession('signOut'),
    );
    return result;
  } finally {
    forget();
  }
}

// ---- two-step verification (TOTP); the secret and the recovery codes are shown once and never stored here

export async function startTotpEnrollment(input) {
  const { startTotpEnrollment: result } = await authenticated(
    documents.START_TOTP_ENROLLMENT,
    { input },
    refusedSession('startTotpEnrollment'),
  );
  return result;
}

export async function confirmTotpEnrollment(input) {
  const { confirmTotpEnrollment: result } = await authenticated(
    documents.CONFIRM_TOTP_ENROLLMENT,
    { input },
    refusedSession('confirmTotpEnrollment'),
  );
  return result;
}

export async function regenerateRecoveryCodes(input) {
  const { regenerateRecoveryCodes: result } = await authenticated(
    documents.REGENERATE_RECOVERY_CODES,
    { input },
    refusedSession('regenerateRecoveryCodes'),
  );
  return result;
}

export async function disableTotp(input) {
  const { disableTotp: result } = await authenticated(
    documents.DISABLE_TOTP,
    { input },
    refusedSession('disableTotp'),
  );
  return result;
}
