import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config/config.ts';
import { startupWarnings } from '../../src/server/startup-warnings.ts';
import { TEST_SECRET } from '../support/server.ts';

const warningsFor = (env: Record<string, string>) => startupWarnings(loadConfig({ JWT_SECRET: TEST_SECRET, ...env }));

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
});
