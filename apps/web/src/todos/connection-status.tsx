import { useIsMutating } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useDatabaseAway } from '../query/database-status.ts';
import { isListWrite } from './todo-writes.ts';
import type { Connection } from './use-live-todos.ts';
import './connection-status.css';

const SYNCED_MS = 4_000;

type Tone = 'warn' | 'ok';
/** What is said, in two parts: narrow screens show only the first; screen readers hear both. */
type Message = { state: string; tone: Tone; text: [string, string] };

const MESSAGES: Record<Connection, Message | null> = {
  connecting: null,
  live: null,
  offline: { state: 'offline', tone: 'warn', text: ['Offline', ' — reconnecting…'] },
  back: { state: 'back', tone: 'ok', text: ['Back online', ''] },
};

const changes = (count: number) => (count === 1 ? ' change' : ' changes');

/**
 * Says when the server cannot reach its database, when the live connection is lost and when it is back, and how many changes made here wait
 * for the network ("Offline: 2 changes waiting"; "Synced" for a moment once they are all sent),
 * in words, in a polite live region that is always in the page (screen readers announce a
 * region's changes, not its arrival). Nothing here blocks the list: it can be read and changed
 * offline, and every change joins the queue.
 */
export function ConnectionStatus({ connection }: { connection: Connection }) {
  // Writes made here that the server has not answered yet (waiting offline, or being sent).
  const waiting = useIsMutating({ predicate: isListWrite });
  const databaseAway = useDatabaseAway();
  const offline = connection === 'offline';
  // Whether changes waited offline: their being sent is then worth saying, and their end too.
  const waited = useRef(false);
  const [synced, setSynced] = useState(false);

  if (offline && waiting > 0) waited.current = true;
  useEffect(() => {
    if (offline || waiting > 0 || !waited.current) return;
    waited.current = false;
    setSynced(true);
  }, [offline, waiting]);
  useEffect(() => {
    if (!synced) return;
    const timer = setTimeout(() => setSynced(false), SYNCED_MS);
    return () => clearTimeout(timer);
  }, [synced]);

  let message = MESSAGES[connection];
  if (databaseAway && navigator.onLine) {
    // The server answers, but cannot reach its database: the changes wait, and are sent again.
    message = {
      state: 'database-away',
      tone: 'warn',
      text: [
        'The server cannot reach its database',
        waiting > 0 ? `; ${waiting}${changes(waiting)} waiting, retrying…` : '; retrying…',
      ],
    };
  } else if (offline && waiting > 0) {
    message = {
      state: 'waiting',
      tone: 'warn',
      text: [`Offline: ${waiting}`, `${changes(waiting)} waiting`],
    };
  } else if (waited.current && waiting > 0) {
    message = { state: 'sending', tone: 'ok', text: [`Sending ${waiting}${changes(waiting)}…`, ''] };
  } else if (synced && !offline) {
    message = { state: 'synced', tone: 'ok', text: ['Synced', ''] };
  }
  return (
    <p
      className="connection"
      role="status"
      data-connection={connection}
      data-state={message?.state}
      data-tone={message?.tone}
    >
      {message ? (
        <>
          <span className="connection-dot" aria-hidden="true" />
          <span>
            {message.text[0]}
            {message.text[1] && <span className="connection-detail">{message.text[1]}</span>}
          </span>
        </>
      ) : null}
    </p>
  );
}
