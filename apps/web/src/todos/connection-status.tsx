import type { Connection } from './use-live-todos.ts';

/** What is said, in two parts: narrow screens show only the first; screen readers hear both. */
const MESSAGES: Record<Connection, [string, string] | null> = {
  connecting: null,
  live: null,
  offline: ['Offline', ' — reconnecting…'],
  back: ['Back online', ''],
};

/**
 * Says when the live connection is lost and when it is back, in words, in a polite live region
 * that is always in the page (screen readers announce a region's changes, not its arrival).
 */
export function ConnectionStatus({ connection }: { connection: Connection }) {
  const message = MESSAGES[connection];
  return (
    <p className="connection" role="status" data-connection={connection}>
      {message ? (
        <>
          <span className="connection-dot" aria-hidden="true" />
          {message[0]}
          {message[1] && <span className="connection-detail">{message[1]}</span>}
        </>
      ) : null}
    </p>
  );
}
