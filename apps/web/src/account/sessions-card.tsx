import { useCallback, useEffect, useRef, useState } from 'react';
import {
  currentSessionId,
  type DeviceSession,
  listSessions,
  type Result,
  revokeOtherSessions,
  revokeSession,
} from './account-api.ts';
import { Card, Outcome } from './card.tsx';
import { describeDevice } from './device.ts';
import { useCaller } from './use-caller.ts';
import './sessions-card.css';
import { dateText } from '../todos/due-date.ts';

/** One device signed in: what it is, since when, from where; a button to sign it out (not this one). */
function SessionRow({
  session,
  current,
  busy,
  onRevoke,
}: {
  session: DeviceSession;
  current: boolean;
  /** What is being signed out, if anything: every button waits meanwhile. */
  busy: string | null;
  onRevoke: (label: string) => void;
}) {
  const device = describeDevice(session.userAgent);
  const since = dateText(new Date(session.createdAt));
  return (
    <li className="session" data-current={current || undefined}>
      <div className="session-text">
        <p className="session-device">
          {device}
          {current && <span className="badge">This device</span>}
        </p>
        <p className="session-meta">
          Signed in {since}
          {session.ipAddress ? ` · ${session.ipAddress}` : ''}
        </p>
      </div>
      {!current && (
        <button
          type="button"
          className="button button-quiet"
          disabled={busy !== null}
          aria-label={`Sign out ${device}, signed in ${since}`}
          onClick={() => onRevoke(device)}
        >
          {busy === session.id ? 'Signing out…' : 'Sign out'}
        </button>
      )}
    </li>
  );
}

/** The account's sessions, latest first, and which of them is this browser's. */
function useSessions(onSessionEnded: () => void, version: number) {
  const [sessions, setSessions] = useState<DeviceSession[] | null>(null);
  const [mine, setMine] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const call = useCaller(onSessionEnded);

  const load = useCallback(async () => {
    const [list, own] = await Promise.all([call(listSessions(), setOutcome), currentSessionId()]);
    if (list) {
      const sorted = [...list.value].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
      setSessions(sorted);
    }
    if (own.ok) setMine(own.value);
  }, [call]);

  // `version` changes after a password change: the list is read again.
  useEffect(() => {
    void load();
  }, [load, version]);

  return { sessions, mine, outcome, setOutcome, call, load };
}

/** Where the account is signed in, with a way to sign out any other device, or all of them. */
export function SessionsCard({ onSessionEnded, version }: { onSessionEnded: () => void; version: number }) {
  const { sessions, mine, outcome, setOutcome, call, load } = useSessions(onSessionEnded, version);
  const [busy, setBusy] = useState<string | null>(null);
  const heading = useRef<HTMLParagraphElement>(null);

  /** Signs out `id` (or 'others') with `request`, then reads the list again. */
  const revoke = async (id: string, request: () => Promise<Result<unknown>>, done: string) => {
    setBusy(id);
    setOutcome(null);
    if (await call(request(), setOutcome, done)) await load();
    setBusy(null);
    heading.current?.focus();
  };

  const others = sessions?.filter((session) => session.id !== mine) ?? [];
  return (
    <Card title="Where you are signed in">
      <p className="card-lead" ref={heading} tabIndex={-1}>
        Sign out a device you do not recognise or no longer use.
      </p>
      {sessions === null ? (
        <p className="muted">{outcome ? '' : 'Loading your sessions…'}</p>
      ) : (
        <ul className="sessions">
          {sessions.map((session) => (
            <SessionRow
              key={session.id}
              session={session}
              current={session.id === mine}
              busy={busy}
              onRevoke={(label) =>
                void revoke(session.id, () => revokeSession(session.token), `${label} is signed out.`)
              }
            />
          ))}
        </ul>
      )}
      <Outcome outcome={outcome} />
      {others.length > 1 && (
        <button
          type="button"
          className="button"
          disabled={busy !== null}
          onClick={() => void revoke('others', revokeOtherSessions, 'Your other devices are signed out.')}
        >
          Sign out all other devices
        </button>
      )}
    </Card>
  );
}
