import { inspect } from 'node:util';
import { describe, expect, it } from '@jest/globals';
import { redact } from '../../src/observability/logging.ts';

const SECRET = 'Hunter-2-Secret';

describe('redact removes a password in every shape a log line may carry', () => {
  it.each([
    ['util.inspect, single quotes', inspect({ input: { email: 'a@example.com', password: SECRET } })],
    ['util.inspect, double quotes (the value has a single quote)', inspect({ currentPassword: `${SECRET}'s` })],
    ['util.inspect, backticks (the value has both quotes)', inspect({ newPassword: `${SECRET}'"` })],
    ['util.inspect, quoted key', inspect({ 'new-password': SECRET })],
    ['GraphQL block string', `mutation { signIn(input: { email: "a@example.com", password: """${SECRET}""" }) { __typename } }`],
    ['GraphQL block string with quotes and lines', `changePassword(input: { currentPassword: """a "${SECRET}"\nb""" })`],
    ['form text', `email=a%40example.com&password=${SECRET}&next=%2F`],
    ['form text, snake case', `current_password=${SECRET}`],
    ['JSON', JSON.stringify({ password: SECRET })],
    ['JSON inside JSON', JSON.stringify(JSON.stringify({ newPassword: SECRET }))],
    ['SQL parameter', `update "users" set "password" = '${SECRET}' where "id" = 1`],
  ])('%s', (_shape, line) => {
    const redacted = redact(line);
    expect(redacted).not.toContain(SECRET);
    expect(redacted).toContain('[redacted]');
  });

  it('leaves the rest of the line readable', () => {
    expect(redact(`email=a%40example.com&password=${SECRET}&next=%2F`)).toBe('email=a%40example.com&password=[redacted]&next=%2F');
    expect(redact(inspect({ email: 'a@example.com', password: SECRET }))).toBe("{ email: 'a@example.com', password: '[redacted]' }");
    expect(redact(`input: { password: """${SECRET}""", email: "a@example.com" }`)).toBe('input: { password: """[redacted]""", email: "a@example.com" }');
  });

  it('keeps words that only contain "password"', () => {
    const line = 'update "users" set "failed_password_checks" = 0, "password_changed_at" = now() where "id" = 1';
    expect(redact(line)).toBe(line);
    expect(redact('Password changed successfully.')).toBe('Password changed successfully.');
  });
});
