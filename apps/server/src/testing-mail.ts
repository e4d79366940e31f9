/**
 * A real SMTP server in-process for the tests, and reading the mail the app writes or sends.
 * Test code only.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export type ReceivedMail = { to: string; subject: string; text: string; link: string };

export type TestSmtpServer = {
  /** e.g. smtp://127.0.0.1:41234, for MAIL_URL. */
  url: string;
  /** Everything received so far, in order. */
  received: ReceivedMail[];
  /** The next message to `to` not yet taken (waits for it to arrive). */
  next(to: string, timeoutMs?: number): Promise<ReceivedMail>;
  stop(): Promise<void>;
};

/** The one http(s) link in a plain-text message. */
export function linkIn(text: string): string {
  const links = text.match(/https?:\/\/\S+/g) ?? [];
  if (links.length !== 1) throw new Error(`expected one link, found ${links.length} in:\n${text}`);
  return links[0] as string;
}

const toReceived = (mail: ParsedMail): ReceivedMail => {
  const to = Array.isArray(mail.to) ? mail.to[0] : mail.to;
  const text = mail.text ?? '';
  return { to: to?.value[0]?.address ?? '', subject: mail.subject ?? '', text, link: linkIn(text) };
};

/**
 * A plain SMTP server on 127.0.0.1 and a free port: no TLS, no login, as a local relay would
 * be. Nodemailer sends in the clear when STARTTLS is not offered.
 *
 * @example
 * const smtp = await startSmtpServer();
 * const server = await startTestServer(driver, { MAIL_URL: smtp.url });
 * const mail = await smtp.next('ada@example.com');
 */
export async function startSmtpServer(): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  const taken = new Set<ReceivedMail>();
  const waiters = new Set<() => void>();
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          received.push(toReceived(mail));
          for (const wake of waiters) wake();
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;

  const take = (to: string) => {
    const mail = received.find((item) => item.to === to.toLowerCase() && !taken.has(item));
    if (mail) taken.add(mail);
    return mail;
  };
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    next(to, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const wake = () => {
          const mail = take(to);
          if (!mail) return;
          waiters.delete(wake);
          clearTimeout(timer);
          resolve(mail);
        };
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(new Error(`no mail to ${to} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(wake);
        wake();
      });
    },
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A message the server wrote to MAIL_DIR, and its file. */
export type MailFile = ReceivedMail & { file: string };

/** The .eml files in `dir` (oldest first), parsed; none when `dir` does not exist yet. */
export async function mailFiles(dir: string): Promise<MailFile[]> {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.eml'));
  } catch {
    return [];
  }
  return Promise.all(
    names.sort().map(async (name) => {
      const file = join(dir, name);
      return { ...toReceived(await simpleParser(readFileSync(file))), file };
    }),
  );
}

/**
 * Waits until `dir` (a server's MAIL_DIR) holds a message to `to` beyond the first `seen` of
 * them, and returns it; with `containing`, only messages whose text holds it count.
 *
 * @example
 * const mail = await nextMailFile(mailDir, 'ada@example.com', { containing: '/invite/' });
 * await page.goto(mail.link);
 */
export async function nextMailFile(
  dir: string,
  to: string,
  {
    seen = 0,
    containing,
    timeoutMs = 10_000,
  }: { seen?: number; containing?: string; timeoutMs?: number } = {},
): Promise<MailFile> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const mine = (await mailFiles(dir)).filter(
      (mail) => mail.to === to.toLowerCase() && (containing === undefined || mail.text.includes(containing)),
    );
    if (mine.length > seen) return mine[seen] as MailFile;
    if (Date.now() > deadline) throw new Error(`no mail file to ${to} in ${dir} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * The mail in `dir` read in order: `next(to)` waits for the first message to `to` it has not
 * returned yet.
 *
 * @example
 * const mail = mailbox(mailDir);
 * const { link } = await mail.next('ada@example.com');
 */
export function mailbox(dir: string) {
  const read = new Map<string, number>();
  return {
    async next(to: string, timeoutMs = 20_000): Promise<MailFile> {
      const seen = read.get(to) ?? 0;
      const mail = await nextMailFile(dir, to, { seen, timeoutMs });
      read.set(to, seen + 1);
      return mail;
    },
  };
}
