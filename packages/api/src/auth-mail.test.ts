import { describe, expect, it } from 'vitest';
import { resetPasswordMail, verifyEmailMail } from './auth-mail.ts';

const ada = { name: 'Ada', email: 'ada@example.com' };
const link = 'http://localhost:3000/reset-password?token=abc';

describe('account mail', () => {
  it('a reset mail says what it is for, holds the link alone on its line, and when it expires', () => {
    const mail = resetPasswordMail(ada, link, 3600);
    expect(mail).toMatchObject({ to: 'ada@example.com', subject: 'Reset your Todo password', link });
    const lines = mail.text.split('\n');
    expect(lines[0]).toBe('Hello Ada,');
    expect(lines).toContain(link);
    expect(mail.text).toContain('reset the password of your Todo account');
    expect(mail.text).toContain('The link works once, for 1 hour.');
    expect(mail.text).toContain('you can ignore this message');
  });

  it('a verification mail likewise; expiry in hours or minutes, a greeting without a name', () => {
    const mail = verifyEmailMail({ name: '  ', email: 'x@example.com' }, link, 86_400);
    expect(mail.text.split('\n')[0]).toBe('Hello,');
    expect(mail.text).toContain('confirm that this is your email address');
    expect(mail.text).toContain('The link works for 24 hours.');
    expect(resetPasswordMail(ada, link, 900).text).toContain('for 15 minutes.');
  });
});
