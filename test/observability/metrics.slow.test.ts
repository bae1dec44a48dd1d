import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { accountsFor } from '../../src/http/accounts-for.ts';
import { createApp } from '../../src/server/app.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/observability/logging.ts';
import { PrometheusMetrics } from '../../src/observability/prometheus-metrics.ts';
import { MeDocument, PasswordPolicyDocument } from '../generated/graphql.ts';
import { PASSWORD, changePassword, signIn, signUp, uniqueEmail } from '../support/accounts.ts';
import { graphql } from '../support/graphql.ts';
import { sample } from '../support/prometheus.ts';
import { startRangeServer, type RangeServer } from '../support/range-server.ts';
import { startTestServer, testEnv, type TestServer } from '../support/server.ts';

const METRICS_TOKEN = 'metrics-token-for-tests-0123456789';

async function scrape(server: TestServer): Promise<string> {
  const response = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text();
}

const changes = (text: string, result: string) => sample(text, 'rekey_operations_total', { operation: 'changePassword', result });

describe('/metrics', () => {
  let server: TestServer;
  beforeAll(async () => {
    // Four change attempts per window: the fifth from this address is refused.
    server = await startTestServer({ METRICS_TOKEN, CHANGE_PASSWORD_RATE_LIMIT: '4' });
  }, 120_000);
  afterAll(() => server.close());

  it('is refused without the token, with a wrong one, and for other methods', async () => {
    const missing = await fetch(`${server.url}/metrics`);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await missing.text()).not.toContain('rekey_');
    const wrong = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}x` } });
    expect(wrong.status).toBe(401);
    const basic = await fetch(`${server.url}/metrics`, { headers: { authorization: `Basic ${btoa(`x:${METRICS_TOKEN}`)}` } });
    expect(basic.status).toBe(401);
    expect((await fetch(`${server.url}/metrics`, { method: 'POST', headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(405);
  });

  it('counts each changePassword outcome by its union member, bcrypt time and rate-limit decisions', async () => {
    const account = await signUp(server.graphqlUrl);
    const before = await scrape(server);

    // Outcome by outcome, each checked against the counter.
    expect((await changePassword(server.graphqlUrl, null, { currentPassword: PASSWORD, newPassword: 'Brand-New-Pass-7' })).__typename).toBe('InvalidSessionError');
    expect((await changePassword(server.graphqlUrl, account.token, { currentPassword: 'Wrong-Pass-123', newPassword: 'Brand-New-Pass-7' })).__typename).toBe('IncorrectPasswordError');
    expect((await changePassword(server.graphqlUrl, account.token, { currentPassword: PASSWORD, newPassword: 'weak' })).__typename).toBe('WeakPasswordError');
    const success = await changePassword(server.graphqlUrl, account.token, { currentPassword: PASSWORD, newPassword: 'Brand-New-Pass-7' });
    expect(success.__typename).toBe('ChangePasswordSuccess');
    // Each success renews the session: go on with its fresh token until the account's limit answers.
    let token = success.__typename === 'ChangePasswordSuccess' ? success.token : null;
    let current = 'Brand-New-Pass-7';
    let limited = 0;
    for (let attempt = 0; attempt < 4 && limited === 0; attempt += 1) {
      const next = `Another-Pass-${attempt}9`;
      const result = await changePassword(server.graphqlUrl, token, { currentPassword: current, newPassword: next });
      if (result.__typename === 'ChangePasswordSuccess') [token, current] = [result.token, next];
      if (result.__typename === 'RateLimitedError') limited += 1;
    }
    expect(limited).toBe(1);

    const after = await scrape(server);
    for (const result of ['InvalidSessionError', 'IncorrectPasswordError', 'WeakPasswordError', 'RateLimitedError']) {
      expect([result, changes(after, result) - changes(before, result)]).toEqual([result, 1]);
    }
    // The first success above, plus any attempt before the limit answered (each a success too).
    const successes = changes(after, 'ChangePasswordSuccess') - changes(before, 'ChangePasswordSuccess');
    expect(successes).toBeGreaterThanOrEqual(1);

    const decisions = (decision: string, text: string) => sample(text, 'rekey_rate_limit_decisions_total', { action: 'changePassword', decision });
    expect(decisions('limited', after) - decisions('limited', before)).toBe(1);
    expect(decisions('allowed', after) - decisions('allowed', before)).toBeGreaterThanOrEqual(3);
    // Every compare and hash was timed: at least the checks of the three attempts that reached bcrypt.
    const compares = (text: string) => sample(text, 'rekey_bcrypt_seconds_count', { op: 'compare' });
    expect(compares(after) - compares(before)).toBeGreaterThanOrEqual(3);
    expect(sample(after, 'rekey_bcrypt_seconds_count', { op: 'hash' })).toBeGreaterThan(sample(before, 'rekey_bcrypt_seconds_count', { op: 'hash' }));
  });

  it('labels plain fields by their type, failed ones by their error code, and leaves the answer as the client asked', async () => {
    const before = await scrape(server);
    const policy = await graphql(server.graphqlUrl, PasswordPolicyDocument, {});
    // The counter reads the type through a field it adds; the client must not see it.
    expect(JSON.stringify(policy)).not.toContain('rekeyMetricsResultType');
    const me = await graphql(server.graphqlUrl, MeDocument, {});
    expect(JSON.stringify(me)).not.toContain('rekeyMetricsResultType');
    const account = await signUp(server.graphqlUrl);
    expect((await signIn(server.graphqlUrl, account.email, 'Wrong-Pass-123')).__typename).toBe('InvalidCredentialsError');
    // No __typename asked: the result is still labelled.
    const bare = await fetch(server.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `mutation { x: signIn(input: { email: "${account.email}", password: "Wrong-Pass-123" }) { ... on InvalidCredentialsError { code } } }` }),
    });
    expect(await bare.json()).toEqual({ data: { x: { code: 'INVALID_CREDENTIALS' } } });

    const after = await scrape(server);
    const delta = (operation: string, result: string) =>
      sample(after, 'rekey_operations_total', { operation, result }) - sample(before, 'rekey_operations_total', { operation, result });
    expect(delta('signIn', 'InvalidCredentialsError')).toBe(2);
    expect(delta('signUp', 'AuthPayload')).toBe(1);
    expect(delta('passwordPolicy', 'PasswordPolicy')).toBe(1);
    expect(delta('me', 'null')).toBe(1);
  });

  it('times each operation in rekey_operation_seconds, the resolvers\' bcrypt included', async () => {
    const account = await signUp(server.graphqlUrl);
    const before = await scrape(server);
    for (let attempt = 0; attempt < 3; attempt += 1) await signIn(server.graphqlUrl, account.email, 'Wrong-Pass-123');
    await graphql(server.graphqlUrl, PasswordPolicyDocument, {});
    const after = await scrape(server);
    const delta = (name: string, labels: Record<string, string>) => sample(after, name, labels) - sample(before, name, labels);

    expect(after).toContain('# TYPE rekey_operation_seconds histogram');
    expect(delta('rekey_operation_seconds_count', { operation: 'signIn' })).toBe(3);
    expect(delta('rekey_operation_seconds_bucket', { operation: 'signIn', le: '+Inf' })).toBe(3);
    expect(delta('rekey_operation_seconds_count', { operation: 'passwordPolicy' })).toBe(1);
    // Each sign-in's time holds its bcrypt compare, so the sums are ordered.
    const signInSeconds = delta('rekey_operation_seconds_sum', { operation: 'signIn' });
    expect(signInSeconds).toBeGreaterThanOrEqual(delta('rekey_bcrypt_seconds_sum', { op: 'compare' }));
    expect(signInSeconds).toBeGreaterThan(0);
  });

  it('has the process defaults and an outbox gauge that asks its provider at each scrape', async () => {
    const before = await scrape(server);
    expect(sample(before, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(before).toContain('# TYPE nodejs_eventloop_lag_seconds gauge');
    expect(before).toContain('# TYPE rekey_outbox_messages gauge');
    // Wired to the outbox table at start: no channel is configured here, so nothing is queued.
    expect(sample(before, 'rekey_outbox_messages', { state: 'pending' })).toBe(0);
    expect(sample(before, 'rekey_outbox_messages', { state: 'dead' })).toBe(0);

    let dead = 2;
    server.rekey.metrics.setOutboxCounts(() => ({ pending: 5, dead }));
    expect(sample(await scrape(server), 'rekey_outbox_messages', { state: 'dead' })).toBe(2);
    dead = 0;
    const text = await scrape(server);
    expect(sample(text, 'rekey_outbox_messages', { state: 'dead' })).toBe(0);
    expect(sample(text, 'rekey_outbox_messages', { state: 'pending' })).toBe(5);
  });

  it('keeps each app instance on its own registry, and without METRICS_TOKEN has no /metrics at all', async () => {
    // A second app in the same process over the same database, as a test or a worker would build one.
    const config = loadConfig(testEnv());
    const other = createApp({
      config,
      orm: server.rekey.orm,
      accountsFor: accountsFor({ orm: server.rekey.orm, deps: server.rekey.deps, trustProxyHops: 0 }),
      policy: server.rekey.deps.policy,
      logger: createLogger('silent'),
      metrics: new PrometheusMetrics(),
      readiness: server.rekey.readiness,
      keyRing: null,
    });
    const response = await other.fetch('http://rekey.test/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain('rekey_');

    const mine = sample(await scrape(server), 'rekey_operations_total', { operation: 'passwordPolicy' });
    const answer = await other.fetch('http://rekey.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ passwordPolicy { name } }' }),
    });
    expect(answer.status).toBe(200);
    expect(sample(await scrape(server), 'rekey_operations_total', { operation: 'passwordPolicy' })).toBe(mine);
  });
});

describe('/metrics: breached-password lookups that could not tell', () => {
  let range: RangeServer;
  let server: TestServer;
  beforeAll(async () => {
    range = await startRangeServer(new Map());
    server = await startTestServer({ METRICS_TOKEN, BREACHED_PASSWORDS: range.base, BREACHED_PASSWORDS_ON_ERROR: 'allow' });
  }, 120_000);
  afterAll(async () => {
    await server.close();
    await range.close();
  });

  it('are counted by source and reason, whether the password was let through or not', async () => {
    const failures = (text: string, reason: string) => sample(text, 'rekey_breached_lookup_failures_total', { source: 'range-api', reason });
    const before = await scrape(server);
    expect(before).toContain('# TYPE rekey_breached_lookup_failures_total counter');
    const account = await signUp(server.graphqlUrl);
    range.behaviour = 'status-500';
    const changed = await changePassword(server.graphqlUrl, account.token, { currentPassword: PASSWORD, newPassword: 'Brand-New-Pass-7' });
    expect(changed.__typename).toBe('ChangePasswordSuccess');
    range.behaviour = 'malformed';
    await signUp(server.graphqlUrl, uniqueEmail(), 'Other-Unlisted-Pass-3');
    const after = await scrape(server);
    expect(failures(after, 'status') - failures(before, 'status')).toBe(1);
    expect(failures(after, 'malformed') - failures(before, 'malformed')).toBe(1);
    expect(failures(after, 'timeout')).toBe(0);
  });
});
