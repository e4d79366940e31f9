import { followLink } from '../routing/path.ts';
import type { SessionUser } from '../session/auth-api.ts';
import { ConnectionStatus } from './connection-status.tsx';
import type { Connection } from './use-live-todos.ts';
import './todo-topbar.css';

/** Above the list: who is signed in, how the connection is, the account page and sign-out. */
export function TodoTopbar({
  user,
  connection,
  saving,
  onSignOut,
  menu,
}: {
  /** The button that opens the list switcher at phone width. */
  menu?: React.ReactNode;
  user: SessionUser;
  connection: Connection;
  /** Whether writes are being sent (not waiting offline). */
  saving: boolean;
  onSignOut: () => void;
}) {
  return (
    <header className="topbar">
      {menu}
      <p className="topbar-user">
        <span className="topbar-prefix">Signed in as </span>
        <strong>{user.name}</strong>
      </p>
      <div className="topbar-actions">
        <ConnectionStatus connection={connection} />
        <span className="sync-state" aria-hidden="true">
          {saving ? 'Saving…' : ''}
        </span>
        <a className="button button-quiet" href="/account" onClick={followLink}>
          Account
        </a>
        <button type="button" className="button button-quiet" onClick={onSignOut}>
          Sign out
        </button>
      </div>
    </header>
  );
}
