import { randomBytes } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SendMailOptions, Transporter, TransportOptions } from 'nodemailer';
import type { Secret } from '../secrets/secret.ts';

/** Where a sent mail ended up: null for a mail server, the file for development mail. */
export type SentMail = { file: string } | null;

export interface MailTransport {
  send(message: SendMailOptions): Promise<SentMail>;
  close(): void;
}

// Messages are built from our templates only: never read files or URLs into them.
const NO_OUTSIDE_CONTENT = { disableFileAccess: true, disableUrlAccess: true } as const;

/**
 * nodemailer loads with the first mail (most servers send few), its transport made once. A load or
 * creation that fails fails that mail (its delivery is retried) and is tried again with the next one;
 * closing then has nothing to close, and must not leave a rejection nobody handles.
 */
function lazyTransport(options: () => TransportOptions | Record<string, unknown>): { get(): Promise<Transporter>; close(): void } {
  let transport: Promise<Transporter> | null = null;
  const make = async () => {
    try {
      const { createTransport } = await import('nodemailer');
      return createTransport(options());
    } catch (error) {
      transport = null;
      throw error;
    }
  };
  return {
    get: () => (transport ??= make()),
    close: () =>
      void transport?.then(
        (made) => made.close(),
        () => undefined,
      ),
  };
}

export function smtpTransport(smtpUrl: Secret, timeoutMs: number): MailTransport {
  const transport = lazyTransport(() => ({
    url: smtpUrl.bytes.toString('utf8'),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    ...NO_OUTSIDE_CONTENT,
  }));
  return {
    async send(message) {
      await (await transport.get()).sendMail(message);
      return null;
    },
    close: () => transport.close(),
  };
}

/**
 * Development mail (docs/operations/dev-mail.md): nodemailer's stream
 * transport builds the very MIME message SMTP would carry, and it is written
 * to `mailDir` as an `.eml` file any mail client opens, readable by its owner only.
 */
export function fileTransport(mailDir: string): MailTransport {
  const transport = lazyTransport(() => ({ streamTransport: true, buffer: true, newline: 'unix', ...NO_OUTSIDE_CONTENT }));
  return {
    async send(message) {
      const info = await (await transport.get()).sendMail(message);
      await mkdir(mailDir, { recursive: true, mode: 0o700 });
      const stamp = new Date().toISOString().replaceAll(':', '-');
      const file = join(mailDir, `${stamp}-${randomBytes(4).toString('hex')}.eml`);
      // Written aside, then renamed: whoever watches the folder never opens half a message.
      await writeFile(`${file}.partial`, info.message as Buffer, { mode: 0o600, flag: 'wx' });
      await rename(`${file}.partial`, file);
      return { file };
    },
    close: () => transport.close(),
  };
}
