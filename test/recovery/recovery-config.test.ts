import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../src/config/config.ts';

// The recovery flow's settings (README "Configuration").
describe('recovery configuration', () => {
  it('defaults to 5 reset requests per hour per address, 30 per email, and 10 link redemptions per rate-limit window', () => {
    const { limits, notifications } = loadConfig({});
    expect(limits.requestPasswordReset).toEqual({ max: 5, windowMs: 3_600_000, bySubject: { email: { max: 30, windowMs: 3_600_000 } } });
    expect(limits.redeemAccountToken).toEqual({ max: 10, windowMs: 60_000 });
    expect(notifications.passwordResetTtlMs).toBe(30 * 60_000);
  });

  it('reads PASSWORD_RESET_RATE_LIMIT, PASSWORD_RESET_EMAIL_RATE_LIMIT, PASSWORD_RESET_RATE_WINDOW, RESET_TOKEN_RATE_LIMIT and PASSWORD_RESET_TTL', () => {
    const { limits, notifications } = loadConfig({
      PASSWORD_RESET_RATE_LIMIT: '3',
      PASSWORD_RESET_EMAIL_RATE_LIMIT: '12',
      PASSWORD_RESET_RATE_WINDOW: '15m',
      RESET_TOKEN_RATE_LIMIT: '20',
      RATE_LIMIT_WINDOW: '2m',
      PASSWORD_RESET_TTL: '1h',
    });
    expect(limits.requestPasswordReset).toEqual({ max: 3, windowMs: 15 * 60_000, bySubject: { email: { max: 12, windowMs: 15 * 60_000 } } });
    expect(limits.redeemAccountToken).toEqual({ max: 20, windowMs: 2 * 60_000 });
    expect(notifications.passwordResetTtlMs).toBe(3_600_000);
  });

  it.each([
    ['PASSWORD_RESET_RATE_LIMIT', '0', /^Invalid configuration: PASSWORD_RESET_RATE_LIMIT must be from 1 to/],
    ['PASSWORD_RESET_RATE_LIMIT', 'many', /^Invalid configuration: PASSWORD_RESET_RATE_LIMIT must be a whole number/],
    ['PASSWORD_RESET_RATE_WINDOW', 'hourly', /^Invalid configuration: PASSWORD_RESET_RATE_WINDOW must be a duration/],
    ['RESET_TOKEN_RATE_LIMIT', '-1', /^Invalid configuration: RESET_TOKEN_RATE_LIMIT must be a whole number/],
  ])('refuses %s=%s with one line naming it', (name, value, pattern) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(pattern);
  });
});
