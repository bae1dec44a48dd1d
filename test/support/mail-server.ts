import type { AppLogger } from '../../src/observability/logging.ts';
import { createLogger } from '../../src/observability/logging.ts';
import { startTestServer, type TestServer } from './server.ts';
import { SmtpSink } from './smtp-sink.ts';

/** The link templates a mail server test configures (tests read the links back from the emails). */
export const LINKS = {
  PASSWORD_RESET_URL: 'https://app.example.com/account#reset={token}',
  ACCOUNT_SECURE_URL: 'https://app.example.com/account#secure={token}',
  EMAIL_VERIFICATION_URL: 'https://app.example.com/account#verify={token}',
  EMAIL_CHANGE_URL: 'https://app.example.com/account#change-email={token}',
} as const;

export interface MailTestServer extends TestServer {
  smtp: SmtpSink;
  /** Every line the server logged, at the most verbose level. */
  logLines: string[];
  stop(): Promise<void>;
}

/** A test server with a real SMTP server capturing its mail, every link template set, and its log kept. */
export async function startMailTestServer(overrides: Record<string, string> = {}): Promise<MailTestServer> {
  const smtp = new SmtpSink();
  await smtp.start();
  const logLines: string[] = [];
  const log: AppLogger = createLogger('trace', (_level, line) => logLines.push(line));
  const server = await startTestServer(
    { SMTP_URL: smtp.url, MAIL_FROM: 'Rekey <no-reply@example.com>', OUTBOX_POLL_INTERVAL: '50ms', ...LINKS, ...overrides },
    { log, useRedis: true },
  );
  return {
    ...server,
    smtp,
    logLines,
    async stop() {
      await server.close();
      await smtp.stop();
    },
  };
}
