import { type MailMessage, mailText } from './auth-mail.ts';

/**
 * The mail that invites an address to a list. It goes to whatever address the owner typed, so it
 * greets nobody by name and carries no words of anyone's but two, each one line of plain text
 * (escaped by mailText, whatever they hold): the list's name and the inviter's name, said to be
 * theirs. The subject holds neither.
 *
 * @example
 * listInviteMail({ to: 'ada@example.com', listName: 'Groceries', inviterName: 'Bo', role: 'editor', link: 'http://localhost:3000/invite/…', expiresInDays: 7 });
 */
export function listInviteMail(invite: {
  to: string;
  listName: string;
  inviterName: string;
  role: 'editor' | 'viewer';
  link: string;
  expiresInDays: number;
}): MailMessage {
  const can = invite.role === 'editor' ? 'see and change its todos' : 'see its todos';
  return {
    to: invite.to,
    subject: 'You are invited to a list on Todo',
    link: invite.link,
    text: mailText`Hello,

A Todo user who calls themself "${invite.inviterName}" invited this address to their list "${invite.listName}", where you could ${can}.

To join, open this link and sign in or sign up with this email address:

${invite.link}

The link works once, for ${String(invite.expiresInDays)} days.

If you do not know the sender, you can ignore this message: nothing happens without the link.

Todo
`,
  };
}
