import { nameProblem, plainText } from './user-name.ts';

/** One plain-text message with the one link it is about (logged in development). */
export type MailMessage = { to: string; subject: string; text: string; link: string };

/** How auth sends mail; the server provides it (SMTP, .eml files, or off). */
export type AuthMail = {
  /** False when there is no way to send: reset and verification are then off. */
  enabled: boolean;
  send(message: MailMessage): Promise<void>;
};

/** Who a mail is to, as Better Auth hands the user over. */
export type MailUser = { name: string; email: string; emailVerified?: boolean };

/**
 * A plain-text mail body: the template's own text as written, and each value placed in it
 * escaped (`plainText`), so that no value, whatever it holds, can start a line of its own or
 * reorder what is around it. Every mail is written with it.
 *
 * @example
 * mailText`Hello ${name},\n\nOpen this link:\n\n${link}\n`;
 */
export function mailText(template: TemplateStringsArray, ...values: string[]): string {
  return template.reduce((text, part, index) => text + plainText(values[index - 1] ?? '') + part);
}

const duration = (seconds: number) => {
  const hours = seconds / 3600;
  if (Number.isInteger(hours)) return hours === 1 ? '1 hour' : `${hours} hours`;
  const minutes = Math.round(seconds / 60);
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
};

/**
 * "Hello Ada," for an address its owner has confirmed, else "Hello,". Anyone can sign up with
 * someone else's address (verification is off by default), so the name on an unconfirmed one
 * is a stranger's words in the owner's mail. A name that breaks today's rules (an account older
 * than them) is left out too.
 */
function greeting(user: MailUser) {
  const name = user.name.trim();
  return user.emailVerified && name && nameProblem(name) === null ? mailText`Hello ${name},` : 'Hello,';
}

/**
 * @example
 * resetPasswordMail({ name: 'Ada', email: 'ada@example.com', emailVerified: true }, 'http://localhost:3000/reset-password?token=…', 3600);
 */
export function resetPasswordMail(user: MailUser, link: string, expiresInSeconds: number) {
  return {
    to: user.email,
    subject: 'Reset your Todo password',
    link,
    text: mailText`${greeting(user)}

Someone (we hope you) asked to reset the password of your Todo account.
To choose a new password, open this link:

${link}

The link works once, for ${duration(expiresInSeconds)}. Setting a new password signs you out everywhere.

If you did not ask for this, you can ignore this message: your password stays as it is.

Todo
`,
  } satisfies MailMessage;
}

/**
 * Sent to an address nobody has confirmed yet: never with a name.
 *
 * @example
 * verifyEmailMail({ name: 'Ada', email: 'ada@example.com' }, 'http://localhost:3000/api/auth/verify-email?token=…', 3600);
 */
export function verifyEmailMail(user: MailUser, link: string, expiresInSeconds: number) {
  return {
    to: user.email,
    subject: 'Confirm your email address for Todo',
    link,
    text: mailText`${greeting({ ...user, emailVerified: false })}

Welcome to Todo. Please confirm that this is your email address by opening this link:

${link}

The link works for ${duration(expiresInSeconds)}. After that, signing in sends you a new one.

If you did not sign up for Todo, you can ignore this message: nothing happens without the link.

Todo
`,
  } satisfies MailMessage;
}
