import { type FormEvent, type ReactNode, useId } from 'react';
import './card.css';

/** What a form on the account page says once it is sent: done, or what went wrong. */
export type Outcome = { kind: 'ok' | 'error'; text: string } | null;

/** Where a form's result is read out: a polite live region that is always in the page. */
export function Outcome({ outcome }: { outcome: Outcome }) {
  return (
    <div className="status-region" role="status">
      {outcome && (
        <p className={`notice ${outcome.kind === 'ok' ? 'notice-ok' : 'notice-error'}`}>{outcome.text}</p>
      )}
    </div>
  );
}

/** One of the account page's sections, headed by its title. */
export function Card({ title, children, danger }: { title: string; children: ReactNode; danger?: boolean }) {
  const id = useId();
  return (
    <section className={danger ? 'card card-danger' : 'card'} aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

/**
 * A section that is one form: its fields, the outcome line, and the button that sends it (which
 * waits, saying so, while `busy`). `lead` comes between the title and the form.
 *
 * @example
 * <CardForm title="Profile" submit={['Save name', 'Saving…']} busy={busy} outcome={outcome} onSubmit={save}>
 *   <Field label="Name" … />
 * </CardForm>
 */
export function CardForm({
  title,
  danger,
  lead,
  submit: [label, busyLabel],
  busy,
  outcome,
  onSubmit,
  children,
}: {
  title: string;
  danger?: boolean;
  lead?: ReactNode;
  /** The button's words, and its words while the form is being sent. */
  submit: [string, string];
  busy: boolean;
  outcome: Outcome;
  onSubmit: (event: FormEvent<HTMLFormElement>) => void;
  children: ReactNode;
}) {
  return (
    <Card title={title} danger={danger}>
      {lead}
      <form noValidate onSubmit={onSubmit} aria-busy={busy}>
        {children}
        <Outcome outcome={outcome} />
        <button type="submit" className={danger ? 'button button-danger' : 'button'} disabled={busy}>
          {busy ? busyLabel : label}
        </button>
      </form>
    </Card>
  );
}
