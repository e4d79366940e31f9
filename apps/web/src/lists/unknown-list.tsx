import { followLink } from '../routing/path.ts';
import '../ui/page.css';

/** `/lists/<id>` of a list the caller is not a member of (or that does not exist): the same words. */
export function UnknownList() {
  return (
    <main className="page">
      <div className="notice notice-info" role="status">
        <p>This list does not exist, or you do not have access to it.</p>
        <a className="button" href="/" onClick={followLink}>
          Go to your Inbox
        </a>
      </div>
    </main>
  );
}
