/** One plain-text message with the one link it is about (logged in development). */
export type MailMessage = { to: string; subject: string; text: string; link: string };

/** How auth sends mail; the server provides it (SMTP, .eml files, or off). */
export type AuthMail = {
  /** False when there is no way to send: reset and verification are then off. */
  enabled: boolean;
  send(message: MailMessage): Promise<void>;
};

const duration = (seconds: number) => {
  const hours = seconds / 3600;
  if (Number.isInteger(hours)) return hours === 1 ? '1 hour' : `${hours} hours`;
  const minutes = Math.round(seconds / 60);
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
};

const greeting = (name: string) => (name.trim() ? `Hello ${name.trim()},` : 'Hello,');

/**
 * @example
 * resetPasswordMail({ name: 'Ada', email: 'ada@example.com' }, 'http://localhost:3000/reset-password?token=…', 3600);
 */
export function resetPasswordMail(
  user: { name: string; email: string },
  link: string,
  expiresInSeconds: number,
) {
  return {
    to: user.email,
    subject: 'Reset your Todo password',
    link,
    text: [
      greeting(user.name),
      '',
      'Someone (we hope you) asked to reset the password of your Todo account.',
      'To choose a new password, open this link:',
      '',
      link,
      '',
      `The link works once, for ${duration(expiresInSeconds)}. Setting a new password signs you out everywhere.`,
      '',
      'If you did not ask for this, you can ignore this message: your password stays as it is.',
      '',
      'Todo',
      '',
    ].join('\n'),
  } satisfies MailMessage;
}

/**
 * @example
 * verifyEmailMail({ name: 'Ada', email: 'ada@example.com' }, 'http://localhost:3000/api/auth/verify-email?token=…', 3600);
 */
export function verifyEmailMail(
  user: { name: string; email: string },
  link: string,
  expiresInSeconds: number,
) {
  return {
    to: user.email,
    subject: 'Confirm your email address for Todo',
    link,
    text: [
      greeting(user.name),
      '',
      'Welcome to Todo. Please confirm that this is your email address by opening this link:',
      '',
      link,
      '',
      `The link works for ${duration(expiresInSeconds)}. After that, signing in sends you a new one.`,
      '',
      'If you did not sign up for Todo, you can ignore this message: nothing happens without the link.',
      '',
      'Todo',
      '',
    ].join('\n'),
  } satisfies MailMessage;
}
