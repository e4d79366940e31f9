import { type FormEvent, type ReactNode, useCallback, useEffect, useId, useRef, useState } from 'react';
import { followLink } from '../routing/path.ts';
import type { SessionUser } from '../session/auth-api.ts';
import { Field } from '../ui/field.tsx';
import {
  changePassword,
  currentSessionId,
  type DeviceSession,
  deleteAccount,
  exportData,
  importData,
  listSessions,
  type Result,
  revokeOtherSessions,
  revokeSession,
  updateName,
} from './account-api.ts';
import { describeDevice } from './device.ts';

type Props = {
  user: SessionUser;
  /** The name changed: the header and the todo screen show the new one. */
  onUserChanged: () => Promise<void>;
  /** A call was answered 401: back to sign-in. */
  onSessionEnded: () => void;
  /** The account is gone: back to sign-in, saying so. */
  onDeleted: () => Promise<void>;
  onSignOut: () => void;
};

type Outcome = { kind: 'ok' | 'error'; text: string } | null;

/** Where a form's result is read out: a polite live region that is always in the page. */
function Outcome({ outcome }: { outcome: Outcome }) {
  return (
    <div className="status-region" role="status">
      {outcome && (
        <p className={`notice ${outcome.kind === 'ok' ? 'notice-ok' : 'notice-error'}`}>{outcome.text}</p>
      )}
    </div>
  );
}

function Card({ title, children, danger }: { title: string; children: ReactNode; danger?: boolean }) {
  const id = useId();
  return (
    <section className={danger ? 'card card-danger' : 'card'} aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

/** Runs a call, turning a 401 into `onSessionEnded` and anything else into an outcome. */
function useCaller(onSessionEnded: () => void) {
  return useCallback(
    async <T,>(result: Promise<Result<T>>, setOutcome: (outcome: Outcome) => void, okText?: string) => {
      const settled = await result;
      if (!settled.ok) {
        if (settled.unauthorized) onSessionEnded();
        setOutcome({ kind: 'error', text: settled.message });
        return null;
      }
      if (okText) setOutcome({ kind: 'ok', text: okText });
      return settled;
    },
    [onSessionEnded],
  );
}

function NameForm({ user, onUserChanged, onSessionEnded }: Props) {
  const [name, setName] = useState(user.name);
  const [error, setError] = useState<string>();
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [busy, setBusy] = useState(false);
  const call = useCaller(onSessionEnded);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const trimmed = name.trim();
    setOutcome(null);
    if (!trimmed) {
      setError('Enter your name.');
      event.currentTarget.querySelector('input')?.focus();
      return;
    }
    setError(undefined);
    setBusy(true);
    if (await call(updateName(trimmed), setOutcome, 'Your name is saved.')) await onUserChanged();
    setBusy(false);
  };
  return (
    <Card title="Profile">
      <form noValidate onSubmit={submit} aria-busy={busy}>
        <Field label="Name" name="name" autoComplete="name" value={name} error={error} onChange={setName} />
        <Outcome outcome={outcome} />
        <button type="submit" className="button" disabled={busy}>
          {busy ? 'Saving…' : 'Save name'}
        </button>
      </form>
    </Card>
  );
}

function PasswordForm({ onSessionEnded, onSessionsChanged }: Props & { onSessionsChanged: () => void }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [others, setOthers] = useState(true);
  const [errors, setErrors] = useState<{ current?: string; next?: string }>({});
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [busy, setBusy] = useState(false);
  const call = useCaller(onSessionEnded);
  const othersId = useId();
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setOutcome(null);
    const found = {
      current: current ? undefined : 'Enter your current password.',
      next: !next
        ? 'Enter a new password.'
        : next.length < 8
          ? 'Use at least 8 characters.'
          : next.length > 128
            ? 'Use at most 128 characters.'
            : undefined,
    };
    setErrors(found);
    if (found.current || found.next) {
      event.currentTarget
        .querySelector<HTMLInputElement>(`[name="${found.current ? 'current-password' : 'new-password'}"]`)
        ?.focus();
      return;
    }
    setBusy(true);
    const done = await call(
      changePassword({ currentPassword: current, newPassword: next, revokeOtherSessions: others }),
      setOutcome,
      others
        ? 'Your password is changed, and your other devices are signed out.'
        : 'Your password is changed.',
    );
    setBusy(false);
    if (done) {
      setCurrent('');
      setNext('');
      onSessionsChanged();
    }
  };
  return (
    <Card title="Password">
      <form noValidate onSubmit={submit} aria-busy={busy}>
        {/* Lets password managers tie the new password to the account. */}
        <Field
          label="Current password"
          type="password"
          name="current-password"
          autoComplete="current-password"
          value={current}
          error={errors.current}
          onChange={setCurrent}
        />
        <Field
          label="New password"
          type="password"
          name="new-password"
          autoComplete="new-password"
          value={next}
          hint="At least 8 characters."
          error={errors.next}
          onChange={setNext}
        />
        <div className="check">
          <input
            id={othersId}
            type="checkbox"
            checked={others}
            onChange={(event) => setOthers(event.target.checked)}
          />
          <label htmlFor={othersId}>Sign out my other devices</label>
        </div>
        <Outcome outcome={outcome} />
        <button type="submit" className="button" disabled={busy}>
          {busy ? 'Changing…' : 'Change password'}
        </button>
      </form>
    </Card>
  );
}

const DATE = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

function Sessions({ onSessionEnded, version }: Props & { version: number }) {
  const [sessions, setSessions] = useState<DeviceSession[] | null>(null);
  const [mine, setMine] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const call = useCaller(onSessionEnded);
  const heading = useRef<HTMLParagraphElement>(null);

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

  const revoke = async (session: DeviceSession, label: string) => {
    setBusy(session.id);
    setOutcome(null);
    if (await call(revokeSession(session.token), setOutcome, `${label} is signed out.`)) await load();
    setBusy(null);
    heading.current?.focus();
  };

  const revokeOthers = async () => {
    setBusy('others');
    setOutcome(null);
    if (await call(revokeOtherSessions(), setOutcome, 'Your other devices are signed out.')) await load();
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
          {sessions.map((session) => {
            const device = describeDevice(session.userAgent);
            const since = DATE.format(new Date(session.createdAt));
            const current = session.id === mine;
            return (
              <li key={session.id} className="session" data-current={current || undefined}>
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
                    onClick={() => void revoke(session, device)}
                  >
                    {busy === session.id ? 'Signing out…' : 'Sign out'}
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
      <Outcome outcome={outcome} />
      {others.length > 1 && (
        <button type="button" className="button" disabled={busy !== null} onClick={() => void revokeOthers()}>
          Sign out all other devices
        </button>
      )}
    </Card>
  );
}

function YourData({ onSessionEnded }: Props) {
  const [exported, setExported] = useState<Outcome>(null);
  const [imported, setImported] = useState<Outcome>(null);
  const [busy, setBusy] = useState<'export' | 'import' | null>(null);
  const call = useCaller(onSessionEnded);
  const fileId = useId();

  const download = async () => {
    setBusy('export');
    setExported(null);
    const result = await call(exportData(), setExported);
    setBusy(null);
    if (!result) return;
    const blob = new Blob([`${JSON.stringify(result.value, null, 2)}\n`], { type: 'application/json' });
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = `todos-${new Date().toISOString().slice(0, 10)}.json`;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    const count = result.value.todos.length;
    setExported({
      kind: 'ok',
      text: `Downloaded ${link.download} with ${count} ${count === 1 ? 'todo' : 'todos'}.`,
    });
  };

  const upload = async (input: HTMLInputElement) => {
    const file = input.files?.[0];
    if (!file) return;
    setBusy('import');
    setImported(null);
    let parsed: unknown;
    try {
      parsed = JSON.parse(await file.text());
    } catch {
      setImported({ kind: 'error', text: `${file.name} is not a JSON file. Nothing was changed.` });
      setBusy(null);
      input.value = '';
      return;
    }
    const result = await call(importData(parsed), setImported);
    if (result) {
      const { added, skipped } = result.value;
      setImported({
        kind: 'ok',
        text: `Imported ${file.name}: ${added} ${added === 1 ? 'todo' : 'todos'} added, ${skipped} already there and skipped.`,
      });
    }
    setBusy(null);
    input.value = '';
  };

  return (
    <Card title="Your data">
      <p className="card-lead">
        Download everything of yours as a JSON file. Importing such a file adds its todos here; todos that are
        already here are skipped.
      </p>
      <div className="data-actions">
        <button type="button" className="button" disabled={busy !== null} onClick={() => void download()}>
          {busy === 'export' ? 'Preparing…' : 'Download my data'}
        </button>
        <label htmlFor={fileId} className="button file-button" data-disabled={busy !== null || undefined}>
          {busy === 'import' ? 'Importing…' : 'Import a file…'}
        </label>
        <input
          id={fileId}
          className="file-input"
          type="file"
          accept="application/json,.json"
          disabled={busy !== null}
          onChange={(event) => void upload(event.currentTarget)}
        />
      </div>
      <Outcome outcome={exported} />
      <Outcome outcome={imported} />
    </Card>
  );
}

function DeleteAccount({ user, onSessionEnded, onDeleted }: Props) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<{ email?: string; password?: string }>({});
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [busy, setBusy] = useState(false);
  const call = useCaller(onSessionEnded);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setOutcome(null);
    const found = {
      email:
        email.trim().toLowerCase() === user.email.toLowerCase()
          ? undefined
          : `Type your email, ${user.email}, to confirm.`,
      password: password ? undefined : 'Enter your password.',
    };
    setErrors(found);
    if (found.email || found.password) {
      event.currentTarget
        .querySelector<HTMLInputElement>(`[name="${found.email ? 'confirm-email' : 'confirm-password'}"]`)
        ?.focus();
      return;
    }
    setBusy(true);
    if (await call(deleteAccount(password), setOutcome)) {
      await onDeleted();
      return;
    }
    setBusy(false);
  };
  return (
    <Card title="Delete account" danger>
      <p className="card-lead">
        This deletes your account, your todos and your sessions for good. Download your data first if you want
        to keep it.
      </p>
      <form noValidate onSubmit={submit} aria-busy={busy}>
        <Field
          label="Your email"
          name="confirm-email"
          type="email"
          autoComplete="off"
          value={email}
          error={errors.email}
          onChange={setEmail}
        />
        <Field
          label="Your password"
          name="confirm-password"
          type="password"
          autoComplete="current-password"
          value={password}
          error={errors.password}
          onChange={setPassword}
        />
        <Outcome outcome={outcome} />
        <button type="submit" className="button button-danger" disabled={busy}>
          {busy ? 'Deleting…' : 'Delete my account'}
        </button>
      </form>
    </Card>
  );
}

/** `/account`: name, password, sessions, export and import, deletion. */
export default function AccountPage(props: Props) {
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
          <button type="button" className="button button-quiet" onClick={props.onSignOut}>
            Sign out
          </button>
        </div>
      </header>
      <main>
        <h1 className="account-title" ref={heading} tabIndex={-1}>
          Your account
        </h1>
        <p className="account-email">{props.user.email}</p>
        <NameForm {...props} />
        <PasswordForm {...props} onSessionsChanged={() => setSessionsVersion((version) => version + 1)} />
        <Sessions {...props} version={sessionsVersion} />
        <YourData {...props} />
        <DeleteAccount {...props} />
      </main>
    </div>
  );
}
