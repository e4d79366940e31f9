import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuthMail, MailMessage } from '@todo/api';
import { createTransport } from 'nodemailer';
import type { Logger } from './logger.ts';

export type MailConfig = {
  /** smtp:// or smtps:// URL of the server that sends; unset, messages go to `dir` (or nowhere). */
  url?: string;
  from: string;
  /** Where each message is written as an .eml file when there is no `url`; unset too: no mail. */
  dir?: string;
};

export type Mailer = AuthMail & {
  /** 'smtp', 'files' (MAIL_DIR, or its default: see config.ts mailDir), or 'off'. */
  mode: 'smtp' | 'files' | 'off';
  /** Waits up to `timeoutMs` for messages still being sent, then closes the transport. */
  close(timeoutMs?: number): Promise<void>;
};

/**
 * Account mail (password reset, email verification). With MAIL_URL it goes out through that
 * SMTP server; without, each message is written to MAIL_DIR as an .eml file and its link is
 * logged in one line; with neither it is off, and auth offers neither reset nor verification.
 *
 * Sending never holds up the request that asked for it, and a failure is logged, not
 * answered: a reset request must look the same whether or not the address has an account.
 *
 * @example
 * const mailer = createMailer({ url: 'smtp://127.0.0.1:2525', from: 'Todo <no-reply@localhost>' }, logger);
 */
export function createMailer(config: MailConfig, logger: Logger): Mailer {
  // Files only without a URL: with one, MAIL_DIR is not used.
  const dir = config.url ? undefined : config.dir;
  const mode = config.url ? 'smtp' : dir ? 'files' : 'off';
  if (mode === 'off') {
    logger.warn(
      'mail: neither MAIL_URL nor MAIL_DIR is set, so password reset and email verification are off',
    );
    return { mode, enabled: false, send: async () => {}, close: async () => {} };
  }
  if (mode === 'files')
    logger.info(`mail: no MAIL_URL, so account mail is written to ${dir} and its links logged here`);
  const transport = config.url
    ? createTransport(config.url, { from: config.from })
    : createTransport({ streamTransport: true, buffer: true, newline: 'unix' }, { from: config.from });
  const pending = new Set<Promise<void>>();

  const deliver = async (message: MailMessage) => {
    const info = await transport.sendMail({ to: message.to, subject: message.subject, text: message.text });
    if (dir) {
      mkdirSync(dir, { recursive: true });
      const file = join(
        dir,
        `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}.eml`,
      );
      // Whole or not at all: whoever watches the folder never reads half a message.
      writeFileSync(`${file}.tmp`, (info as { message: Buffer }).message, { mode: 0o600 });
      renameSync(`${file}.tmp`, file);
      logger.info({ file }, `mail to ${message.to}: ${message.subject}: ${message.link}`);
    }
  };

  return {
    mode,
    enabled: true,
    async send(message) {
      const sending = deliver(message)
        .catch((error: Error) => logger.warn(`mail to ${message.to} failed: ${error.message}`))
        .finally(() => pending.delete(sending));
      pending.add(sending);
    },
    async close(timeoutMs = 10_000) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(pending),
        new Promise((resolve) => {
          timer = setTimeout(resolve, timeoutMs);
        }),
      ]);
      clearTimeout(timer);
      transport.close();
    },
  };
}
