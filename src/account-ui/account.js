// The /account page: panels for signed-out visitors (sign in, sign up, reset) and for the signed-in
// account (password, sessions, activity, email address and deletion). Every server call goes through api.js.
import * as api from './api.js';
import { initTwoStep } from './two-step.js';
import { describeEvent, describePolicy, formatDate } from './wording.js';

const byId = (id) => document.getElementById(id);
const panels = [...document.querySelectorAll('[data-panel]')];
const SIGNED_IN_PANELS = new Set(['password', 'sessions', 'activity', 'two-step', 'email']);

const state = {
  viewer: null,
  /** A token read from the address bar once (reset or "This wasn't me" link), kept in memory only. */
  linkToken: null,
  eventsCursor: null,
  /** signIn's SecondFactorChallenge token, in memory only until verifySecondFactor uses it. */
  challengeToken: null,
};

// ---- feedback

function announce(text) {
  byId('status').textContent = text;
}

function errorBox(container) {
  return container.querySelector('[data-error]');
}

function clearErrors(container) {
  const box = errorBox(container);
  box.replaceChildren();
  for (const input of container.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
}

/** Shows a message (and optionally a list) in the container's alert region. */
function showError(container, message, items = []) {
  const box = errorBox(container);
  const paragraph = document.createElement('p');
  paragraph.textContent = message;
  box.replaceChildren(paragraph);
  if (items.length > 0) {
    const list = document.createElement('ul');
    list.className = 'violations';
    for (const item of items) {
      const entry = document.createElement('li');
      entry.textContent = item;
      list.append(entry);
    }
    box.append(list);
  }
}

const countdowns = new WeakMap();

/** Disables the form's submit button and counts down `seconds` aloud only at the start and the end. */
function startCountdown(form, seconds) {
  stopCountdown(form);
  const output = form.querySelector('[data-countdown]');
  const submit = form.querySelector('[type=submit]');
  const deadline = Date.now() + seconds * 1000;
  submit.disabled = true;
  output.hidden = false;
  const tick = () => {
    const left = Math.ceil((deadline - Date.now()) / 1000);
    if (left > 0) {
      output.textContent = `You can try again in ${left} ${left === 1 ? 'second' : 'seconds'}.`;
      return;
    }
    stopCountdown(form);
    announce('You can try again now.');
  };
  tick();
  countdowns.set(form, setInterval(tick, 250));
}

function stopCountdown(form) {
  clearInterval(countdowns.get(form));
  countdowns.delete(form);
  const output = form.querySelector('[data-countdown]');
  if (output) {
    output.hidden = true;
    output.textContent = '';
  }
  const submit = form.querySelector('[type=submit]');
  if (submit) submit.disabled = false;
}

/** Shows a typed failure (any `Error` member of a result union) in the form. */
function showFailure(form, result) {
  switch (result.__typename) {
    case 'WeakPasswordError': {
      for (const input of form.querySelectorAll('[autocomplete=new-password]')) input.setAttribute('aria-invalid', 'true');
      showError(form, 'This password does not meet the rules:', result.violations.map((v) => v.message));
      return;
    }
    case 'ValidationError': {
      for (const fieldError of result.fieldErrors) {
        const input = form.querySelector(`[name="${CSS.escape(fieldError.path.at(-1) ?? '')}"]`);
        input?.setAttribute('aria-invalid', 'true');
      }
      showError(form, result.message, result.fieldErrors.length > 1 ? result.fieldErrors.map((f) => f.message) : []);
      return;
    }
    case 'RateLimitedError':
      showError(form, 'Too many attempts. Please wait before trying again.');
      startCountdown(form, result.retryAfterSeconds);
      return;
    case 'IncorrectPasswordError':
      form.querySelector('[autocomplete=current-password]')?.setAttribute('aria-invalid', 'true');
      showError(form, result.message);
      return;
    case 'PasswordReusedError':
      form.querySelector('[autocomplete=new-password]')?.setAttribute('aria-invalid', 'true');
      showError(form, result.message);
      return;
    default:
      showError(form, result.message);
  }
}

/** Wires a form: clears old errors, disables it while the request runs, and shows transport failures. */
function onSubmit(form, handler) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (countdowns.has(form)) return;
    clearErrors(form);
    announce('');
    const submit = form.querySelector('[type=submit]');
    submit.disabled = true;
    form.setAttribute('aria-busy', 'true');
    try {
      await handler(new FormData(form));
    } catch (error) {
      showError(form, error instanceof api.ApiError ? error.message : 'Something went wrong. Please try again.');
    } finally {
      form.removeAttribute('aria-busy');
      if (!countdowns.has(form)) submit.disabled = false;
    }
  });
}

// ---- panels

function show(name, { focus = true } = {}) {
  byId('loading').hidden = true;
  for (const panel of panels) panel.hidden = panel.dataset.panel !== name;
  const signedIn = SIGNED_IN_PANELS.has(name);
  byId('account-nav').hidden = !signedIn;
  byId('viewer').hidden = !signedIn;
  byId('verify-banner').hidden = !signedIn || state.viewer?.emailVerified !== false;
  for (const button of document.querySelectorAll('#account-nav [data-show]')) {
    if (button.dataset.show === name) button.setAttribute('aria-current', 'page');
    else button.removeAttribute('aria-current');
  }
  // Move focus to the new panel's heading so keyboard and screen-reader users land on what changed.
  if (focus) document.querySelector(`[data-panel="${name}"] h1`).focus();
  if (name === 'sessions') void loadSessions();
  if (name === 'activity') void loadEvents({ reset: true });
  if (name === 'two-step') twoStep.open(state.viewer);
}

for (const button of document.querySelectorAll('[data-show]')) {
  button.addEventListener('click', () => {
    announce('');
    show(button.dataset.show);
  });
}

function renderViewer(user) {
  state.viewer = user;
  byId('viewer-email').textContent = user.email;
  for (const username of document.querySelectorAll('[name=username]')) username.value = user.email;
  byId('verify-banner').hidden = user.emailVerified !== false;
  byId('password-changed-at').textContent = user.passwordChangedAt
    ? `Password last changed ${formatDate(user.passwordChangedAt)}.`
    : `Account created ${formatDate(user.createdAt)}.`;
  showCodeField(Boolean(user.secondFactor?.totp));
}

/** With two-step verification on, changing the password asks for a code too. */
function showCodeField(needed) {
  byId('change-password-code').hidden = !needed;
  byId('change-password-second-factor').required = needed;
}

async function enterAccount(message) {
  const user = await api.me();
  if (!user) {
    signedOut('Your session has ended. Please sign in again.');
    return;
  }
  renderViewer(user);
  show('password');
  if (message) announce(message);
}

function signedOut(message) {
  state.viewer = null;
  state.challengeToken = null;
  api.forget();
  for (const form of document.querySelectorAll('form')) form.reset();
  show('sign-in');
  if (message) announce(message);
}

// ---- password policy, shown before any password is submitted

async function loadPolicy() {
  let policy;
  try {
    policy = await api.passwordPolicy();
  } catch {
    return; // the server still enforces it; the forms explain violations after submitting
  }
  for (const container of document.querySelectorAll('[data-policy]')) {
    const existingAccount = container.dataset.policy === 'existing-account';
    const heading = document.createElement('p');
    heading.textContent = existingAccount ? 'Your new password needs:' : 'Your password needs:';
    const list = document.createElement('ul');
    for (const rule of describePolicy(policy, { existingAccount })) {
      const item = document.createElement('li');
      item.textContent = rule;
      list.append(item);
    }
    container.replaceChildren(heading, list);
  }
}

// ---- signed-out forms

onSubmit(byId('sign-in-form'), async (data) => {
  const result = await api.signIn({ email: data.get('email'), password: data.get('password') });
  if (result.__typename === 'SecondFactorChallenge') {
    byId('sign-in-form').reset();
    state.challengeToken = result.challengeToken;
    show('second-factor');
    byId('second-factor-code').focus();
    return;
  }
  if (result.__typename !== 'AuthPayload') return showFailure(byId('sign-in-form'), result);
  byId('sign-in-form').reset();
  await enterAccount(`Signed in as ${result.user.email}.`);
});

onSubmit(byId('second-factor-form'), async (data) => {
  const form = byId('second-factor-form');
  if (!state.challengeToken) return signedOut('Please sign in again.');
  const result = await api.verifySecondFactor({ challengeToken: state.challengeToken, code: data.get('code') });
  // The challenge was used or has expired: the password is asked again.
  if (result.__typename === 'InvalidSessionError') return signedOut('Your sign-in expired. Please sign in again.');
  if (result.__typename !== 'AuthPayload') return showFailure(form, result);
  state.challengeToken = null;
  form.reset();
  await enterAccount(`Signed in as ${result.user.email}.`);
});

onSubmit(byId('sign-up-form'), async (data) => {
  const result = await api.signUp({ email: data.get('email'), password: data.get('password') });
  if (result.__typename !== 'AuthPayload') return showFailure(byId('sign-up-form'), result);
  byId('sign-up-form').reset();
  await enterAccount(`Welcome! Your account ${result.user.email} is ready.`);
});

onSubmit(byId('forgot-form'), async (data) => {
  const result = await api.requestPasswordReset({ email: data.get('email') });
  if (result.__typename !== 'RequestPasswordResetSuccess') return showFailure(byId('forgot-form'), result);
  byId('forgot-form').reset();
  announce(result.message);
});

/** What the server answers for a used or expired link; said here too once the page has dropped the token. */
const USED_LINK = 'This password reset link is invalid or has expired.';

onSubmit(byId('reset-form'), async (data) => {
  if (!state.linkToken) return showError(byId('reset-form'), USED_LINK);
  const result = await api.resetPassword({ token: state.linkToken, newPassword: data.get('newPassword') });
  if (result.__typename !== 'ResetPasswordSuccess') {
    if (result.__typename === 'InvalidResetTokenError') state.linkToken = null;
    return showFailure(byId('reset-form'), result);
  }
  state.linkToken = null;
  signedOut(result.message);
});

onSubmit(byId('secure-form'), async () => {
  if (!state.linkToken) return showError(byId('secure-form'), USED_LINK);
  const result = await api.secureAccount({ token: state.linkToken });
  if (result.__typename !== 'SecureAccountSuccess') {
    if (result.__typename === 'InvalidResetTokenError') state.linkToken = null;
    return showFailure(byId('secure-form'), result);
  }
  state.linkToken = null;
  signedOut(result.message);
});

/** The address's links. */
const USED_EMAIL_LINK = 'This email link is invalid or has expired.';

/** After a link that needs no session: back into the account if this browser has one, else to sign-in. */
async function afterLink(message) {
  let resumed = false;
  try {
    resumed = await api.refresh();
  } catch {
    // Signed out is the safe answer.
  }
  if (resumed) await enterAccount(message);
  else signedOut(message);
}

/** Submits the link's token once with `redeem`; a refused token is dropped, as for the reset links. */
function onLinkForm(form, redeem, successType) {
  onSubmit(form, async () => {
    if (!state.linkToken) return showError(form, USED_EMAIL_LINK);
    const result = await redeem({ token: state.linkToken });
    if (result.__typename !== successType) {
      if (result.__typename === 'InvalidEmailTokenError') state.linkToken = null;
      return showFailure(form, result);
    }
    state.linkToken = null;
    await afterLink(result.message);
  });
}

onLinkForm(byId('verify-form'), api.verifyEmail, 'VerifyEmailSuccess');
onLinkForm(byId('confirm-email-form'), api.confirmEmailChange, 'ConfirmEmailChangeSuccess');

// ---- signed-in panels

byId('resend-verification').addEventListener('click', async () => {
  if (!state.viewer) return;
  try {
    const result = await api.requestEmailVerification({ email: state.viewer.email });
    announce(result.__typename === 'RequestEmailVerificationSuccess' ? 'We sent a new link to your address.' : result.message);
  } catch (error) {
    announce(error.message);
  }
});

onSubmit(byId('request-email-change-form'), async (data) => {
  const form = byId('request-email-change-form');
  const result = await api.requestEmailChange({ newEmail: data.get('newEmail'), currentPassword: data.get('currentPassword') });
  if (result.__typename === 'InvalidSessionError') return signedOut('Your session has ended. Please sign in again.');
  if (result.__typename !== 'RequestEmailChangeSuccess') return showFailure(form, result);
  form.reset();
  renderViewer(state.viewer);
  announce(result.message);
});

/** Deleting takes two steps: this button only opens the form that asks for the password. */
byId('start-delete').addEventListener('click', () => {
  byId('start-delete').hidden = true;
  byId('delete-account-form').hidden = false;
  byId('delete-current-password').focus();
});

function closeDeleteForm() {
  const form = byId('delete-account-form');
  form.reset();
  clearErrors(form);
  form.hidden = true;
  byId('start-delete').hidden = false;
}

byId('cancel-delete').addEventListener('click', () => {
  closeDeleteForm();
  byId('start-delete').focus();
});

onSubmit(byId('delete-account-form'), async (data) => {
  const form = byId('delete-account-form');
  const result = await api.deleteAccount({ currentPassword: data.get('currentPassword') });
  if (result.__typename === 'InvalidSessionError') return signedOut('Your session has ended. Please sign in again.');
  if (result.__typename !== 'DeleteAccountSuccess') return showFailure(form, result);
  closeDeleteForm();
  signedOut(result.message);
});

onSubmit(byId('change-password-form'), async (data) => {
  const form = byId('change-password-form');
  const result = await api.changePassword({
    currentPassword: data.get('currentPassword'),
    newPassword: data.get('newPassword'),
    revokeOtherSessions: data.get('revokeOtherSessions') === 'on',
    secondFactorCode: data.get('secondFactorCode') || null,
  });
  if (result.__typename === 'InvalidSessionError') return signedOut('Your session has ended. Please sign in again.');
  if (result.__typename === 'SecondFactorRequiredError') {
    showCodeField(true);
    byId('change-password-second-factor').focus();
  }
  if (result.__typename !== 'ChangePasswordSuccess') return showFailure(form, result);
  form.reset();
  renderViewer({ ...state.viewer, ...result.user });
  // Read back with the renewed token: proves the page is still signed in.
  const user = await api.me();
  if (!user) return signedOut('Your session has ended. Please sign in again.');
  renderViewer(user);
  announce(result.message);
});

byId('sign-out').addEventListener('click', async () => {
  try {
    await api.signOut();
  } catch {
    // The token is forgotten either way; the server-side session expires on its own.
  }
  signedOut('You are signed out.');
});

async function loadSessions() {
  const panel = byId('panel-sessions');
  const list = byId('sessions-list');
  clearErrors(panel);
  list.setAttribute('aria-busy', 'true');
  try {
    const sessions = await api.sessions();
    if (sessions === null) return signedOut('Your session has ended. Please sign in again.');
    list.replaceChildren(...sessions.map(renderSession));
  } catch (error) {
    list.replaceChildren();
    showError(panel, error.unsupported ? 'This server does not list sessions yet.' : error.message);
  } finally {
    list.removeAttribute('aria-busy');
  }
}

function renderSession(session) {
  const device = session.device;
  const item = document.createElement('li');
  item.className = session.current ? 'card current' : 'card';
  const title = document.createElement('p');
  title.className = 'card-title';
  title.textContent = device;
  if (session.current) {
    const badge = document.createElement('strong');
    badge.className = 'badge';
    badge.textContent = 'This device';
    title.append(' ', badge);
  }
  const details = document.createElement('p');
  details.className = 'card-details';
  details.textContent = [
    session.ipAddress ? `From ${session.ipAddress}` : null,
    `signed in ${formatDate(session.createdAt)}`,
    `last active ${formatDate(session.lastActiveAt)}`,
  ]
    .filter(Boolean)
    .join(' · ');
  item.append(title, details);
  if (session.userAgent) {
    // The whole user agent, for someone checking an unfamiliar device closely.
    const agent = document.createElement('p');
    agent.className = 'card-meta';
    agent.textContent = session.userAgent;
    item.append(agent);
  }
  if (!session.current) {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = 'Sign out this device';
    button.setAttribute('aria-label', `Sign out ${device}, last active ${formatDate(session.lastActiveAt)}`);
    button.addEventListener('click', () => revoke(session.id, button));
    item.append(button);
  }
  return item;
}

async function revoke(sessionId, button) {
  const panel = byId('panel-sessions');
  clearErrors(panel);
  button.disabled = true;
  try {
    const result = await api.revokeSession(sessionId);
    if (result.__typename === 'InvalidSessionError') return signedOut('Your session has ended. Please sign in again.');
    if (result.__typename !== 'SignOutSuccess') showError(panel, result.message);
    else announce('That device is signed out.');
  } catch (error) {
    showError(panel, error.message);
  }
  await loadSessions();
  // The button is gone with its row: keep keyboard focus in the panel.
  byId('sessions-title').focus();
}

byId('sign-out-everywhere').addEventListener('click', async () => {
  const panel = byId('panel-sessions');
  clearErrors(panel);
  try {
    const result = await api.signOut({ everywhere: true });
    if (result.__typename === 'SignOutSuccess') {
      signedOut(`You are signed out on every device (${result.revokedSessions} ${result.revokedSessions === 1 ? 'session' : 'sessions'}).`);
      return;
    }
    signedOut('You are signed out.');
  } catch (error) {
    signedOut(error.unsupported ? 'You are signed out on this device. This server cannot sign out other devices yet.' : 'You are signed out.');
  }
});

async function loadEvents({ reset = false } = {}) {
  const panel = byId('panel-activity');
  const list = byId('events-list');
  const more = byId('more-events');
  clearErrors(panel);
  if (reset) state.eventsCursor = null;
  list.setAttribute('aria-busy', 'true');
  try {
    const connection = await api.securityEvents(state.eventsCursor);
    if (connection === null) return signedOut('Your session has ended. Please sign in again.');
    const items = connection.edges.map(({ node }) => renderEvent(node));
    if (reset) list.replaceChildren(...items);
    else list.append(...items);
    if (reset && items.length === 0) {
      const empty = document.createElement('li');
      empty.textContent = 'No activity yet.';
      list.append(empty);
    }
    state.eventsCursor = connection.pageInfo.endCursor;
    more.hidden = !connection.pageInfo.hasNextPage;
    if (!reset && items.length > 0) {
      // The button may have just been hidden: move focus to the first older entry, where reading goes on.
      items[0].tabIndex = -1;
      items[0].focus();
      announce(`${items.length} older ${items.length === 1 ? 'entry' : 'entries'} shown.`);
    }
  } catch (error) {
    if (reset) list.replaceChildren();
    more.hidden = true;
    showError(panel, error.unsupported ? 'This server does not list security activity yet.' : error.message);
  } finally {
    list.removeAttribute('aria-busy');
  }
}

function renderEvent(event) {
  const item = document.createElement('li');
  item.className = 'card';
  const title = document.createElement('p');
  title.className = 'card-title';
  title.textContent = describeEvent(event.kind);
  const time = document.createElement('time');
  time.dateTime = event.occurredAt;
  time.textContent = formatDate(event.occurredAt);
  const details = document.createElement('p');
  details.className = 'card-details';
  details.append(time);
  if (event.ipAddress) details.append(` · from ${event.ipAddress}`);
  if (event.userAgent) details.append(` · ${event.device}`);
  item.append(title, details);
  return item;
}

byId('more-events').addEventListener('click', () => loadEvents());

const twoStep = initTwoStep({
  onSubmit,
  showFailure,
  announce,
  sessionEnded: () => signedOut('Your session has ended. Please sign in again.'),
  async reloadViewer() {
    const user = await api.me();
    if (!user) {
      signedOut('Your session has ended. Please sign in again.');
      return null;
    }
    renderViewer(user);
    return user;
  },
});

// ---- start

/**
 * Emailed links carry their token as `#reset=<token>`, `#secure=<token>`, `#verify=<token>` or
 * `#change-email=<token>` (a fragment never reaches a server log or a proxy); the same names work
 * as query parameters too. Either way the token is read
 * once and removed from the address bar and history, so it is not bookmarked or shared by accident.
 */
function takeLinkToken() {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const query = new URLSearchParams(location.search);
  for (const kind of ['reset', 'secure', 'verify', 'change-email']) {
    const token = fragment.get(kind) ?? query.get(kind);
    if (token) {
      history.replaceState(null, '', location.pathname);
      return { kind, token };
    }
  }
  return null;
}

function openLink(link, { focus }) {
  state.linkToken = link.token;
  for (const form of document.querySelectorAll('form')) form.reset();
  show(link.kind, { focus });
}

// A link pasted into this page's own tab changes only the fragment: no new page load runs start().
window.addEventListener('hashchange', () => {
  const link = takeLinkToken();
  if (link) openLink(link, { focus: true });
});

async function start() {
  const link = takeLinkToken();
  void loadPolicy();
  if (link) {
    openLink(link, { focus: false });
    return;
  }
  let resumed = false;
  try {
    resumed = await api.refresh();
  } catch {
    // Signed out is the safe answer when the server cannot say otherwise.
  }
  if (resumed) await enterAccount();
  else show('sign-in', { focus: false });
}

void start();
