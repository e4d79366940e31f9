import { type ReactNode, useId } from 'react';
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
