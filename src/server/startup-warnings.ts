import { isIPv4 } from 'node:net';
import type { Config } from '../config/config.ts';

function isLoopback(host: string): boolean {
  const address = host.replace(/^::ffff:/i, '');
  return address === 'localhost' || address === '::1' || (isIPv4(address) && address.startsWith('127.'));
}

/** Settings that are valid but dangerous where others can reach the server; printed at start. */
export function startupWarnings(config: Config): string[] {
  const warnings: string[] = [];
  if (config.env !== 'production' && !isLoopback(config.host)) {
    warnings.push(
      `HOST=${config.host} lets other machines reach this server, but NODE_ENV is ${config.env}: ` +
        'introspection, GraphiQL, field suggestions and open CORS are on. Set NODE_ENV=production unless this is a private development machine.',
    );
  }
  if (config.exposeErrorDetails) {
    warnings.push('EXPOSE_ERROR_DETAILS=true sends unexpected errors\' messages and stack traces to clients; never use it in production.');
  }
  if (config.env === 'production' && config.secondFactor.encryptionKey === null) {
    warnings.push(
      'TOTP_ENCRYPTION_KEY is unset: TOTP secrets are encrypted under a key derived from the server secret (SERVER_SECRET, or JWT_SECRET while that stands in), so changing it would make every authenticator unusable. Set TOTP_ENCRYPTION_KEY.',
    );
  }
  return warnings;
}
