import { describe, expect, it } from 'vitest';
import { mailText, resetPasswordMail, verifyEmailMail } from './auth-mail.ts';

const ada = { name: 'Ada', email: 'ada@example.com', emailVerified: true };
const link = 'http://localhost:3000/reset-password?token=abc';
const ATTACK = 'Ada\n\nSECURITY ALERT: restore access at https://todo-support.example.net/restore instead\n';

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
    expect(mail.text.endsWith('\nTodo\n')).toBe(true);
  });

  it('greets by name only at an address its owner has confirmed', () => {
    expect(resetPasswordMail({ ...ada, emailVerified: false }, link, 3600).text.split('\n')[0]).toBe(
      'Hello,',
    );
    expect(resetPasswordMail({ name: 'Ada', email: ada.email }, link, 3600).text.split('\n')[0]).toBe(
      'Hello,',
    );
    // A verification mail goes to an address nobody has confirmed yet, whatever it is told.
    expect(verifyEmailMail(ada, link, 3600).text.split('\n')[0]).toBe('Hello,');
  });

  it('leaves out a name that breaks the rules, even at a confirmed address (an account older than them)', () => {
    for (const name of [ATTACK, 'x'.repeat(101), 'Ada\u202Egnp.exe', 'Ada\u2028Lovelace']) {
      const mail = resetPasswordMail({ ...ada, name }, link, 3600);
      expect(mail.text.split('\n')[0]).toBe('Hello,');
      expect(mail.text).not.toContain('SECURITY ALERT');
      expect(mail.text.match(/https?:\/\/\S+/g)).toEqual([link]);
    }
  });

  it('a verification mail likewise; expiry in hours or minutes, a greeting without a name', () => {
    const mail = verifyEmailMail({ name: '  ', email: 'x@example.com' }, link, 86_400);
    expect(mail.text.split('\n')[0]).toBe('Hello,');
    expect(mail.text).toContain('confirm that this is your email address');
    expect(mail.text).toContain('The link works for 24 hours.');
    expect(resetPasswordMail(ada, link, 900).text).toContain('for 15 minutes.');
  });

  it('mailText keeps each value on its own line of the template, whatever it holds', () => {
    expect(mailText`Hello ${ATTACK},\n\nbye`).toBe(
      'Hello Ada SECURITY ALERT: restore access at https://todo-support.example.net/restore instead ,\n\nbye',
    );
    expect(mailText`a ${'b\u202Ec\u2066d\u0000e\ud800'} f`).toBe('a b c d e  f');
  });
});
