import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config/config.ts';
import { startupWarnings } from '../../src/server/startup-warnings.ts';
import { TEST_SECRET } from '../support/server.ts';

const TOTP_KEY = 'a-totp-encryption-key-of-32-bytes-or-more';
const warningsFor = (env: Record<string, string>) => startupWarnings(loadConfig({ JWT_SECRET: TEST_SECRET, TOTP_ENCRYPTION_KEY: TOTP_KEY, ...env }));

describe('start-up warnings', () => {
  it('warns when a development server listens beyond loopback', () => {
    for (const host of ['0.0.0.0', '::', '192.0.2.10', 'rekey.example.com']) {
      const [warning, ...rest] = warningsFor({ HOST: host });
      expect(rest).toEqual([]);
      expect(warning).toContain(`HOST=${host}`);
      expect(warning).toContain('NODE_ENV=production');
    }
  });

  it('stays quiet on loopback, and in production anywhere', () => {
    for (const host of ['127.0.0.1', '127.0.0.2', '::1', 'localhost']) expect(warningsFor({ HOST: host })).toEqual([]);
    expect(warningsFor({ HOST: '0.0.0.0', NODE_ENV: 'production' })).toEqual([]);
  });

  it('warns that error details are exposed when asked to', () => {
    expect(warningsFor({ NODE_ENV: 'production', EXPOSE_ERROR_DETAILS: 'true' })).toEqual([
      expect.stringContaining('EXPOSE_ERROR_DETAILS=true'),
    ]);
  });

  it('warns in production when TOTP secrets would be encrypted under a key derived from the JWT secret', () => {
    expect(warningsFor({ NODE_ENV: 'production', TOTP_ENCRYPTION_KEY: '' })).toEqual([expect.stringContaining('TOTP_ENCRYPTION_KEY is unset')]);
    expect(warningsFor({ TOTP_ENCRYPTION_KEY: '' })).toEqual([]);
  });
});
