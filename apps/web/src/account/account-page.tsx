import { useEffect, useRef, useState } from 'react';
import { followLink } from '../routing/path.ts';
import type { SessionUser } from '../session/auth-api.ts';
import { DeleteAccount } from './delete-account.tsx';
import { NameForm } from './name-form.tsx';
import { PasswordForm } from './password-form.tsx';
import { SessionsCard } from './sessions-card.tsx';
import { YourData } from './your-data.tsx';
import '../ui/page.css';
import './account-page.css';

/** `/account`: name, password, sessions, export and import, deletion. */
export default function AccountPage({
  user,
  onUserChanged,
  onSessionEnded,
  onDeleted,
  onSignOut,
}: {
  user: SessionUser;
  /** The name changed: the header and the todo screen show the new one. */
  onUserChanged: () => Promise<void>;
  /** A call was answered 401: back to sign-in. */
  onSessionEnded: () => void;
  /** The account is gone: back to sign-in, saying so. */
  onDeleted: () => Promise<void>;
  onSignOut: () => void;
}) {
  const heading = useRef<HTMLHeadingElement>(null);
  const [sessionsVersion, setSessionsVersion] = useState(0);
  useEffect(() => {
    const previous = document.title;
    document.title = 'Your account · todos';
    heading.current?.focus();
    return () => {
      document.title = previous;
    };
  }, []);
  return (
    <div className="page account">
      <header className="topbar">
        <a className="back-link" href="/" onClick={followLink}>
          <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
            <path d="M15 18l-6-6 6-6" />
          </svg>
          Back to my todos
        </a>
        <div className="topbar-actions">
          <button type="button" className="button button-quiet" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      </header>
      <main>
        <h1 className="account-title" ref={heading} tabIndex={-1}>
          Your account
        </h1>
        <p className="account-email">{user.email}</p>
        <NameForm user={user} onUserChanged={onUserChanged} onSessionEnded={onSessionEnded} />
        <PasswordForm
          onSessionEnded={onSessionEnded}
          onSessionsChanged={() => setSessionsVersion((version) => version + 1)}
        />
        <SessionsCard onSessionEnded={onSessionEnded} version={sessionsVersion} />
        <YourData onSessionEnded={onSessionEnded} />
        <DeleteAccount user={user} onSessionEnded={onSessionEnded} onDeleted={onDeleted} />
      </main>
    </div>
  );
}
