import { lazy, Suspense, useState } from 'react';
import type { NewListDraft } from './list-actions.tsx';

// Opened by a click, never by the first paint: the form loads then (with the header's actions).
const NewListForm = lazy(() =>
  import('./list-actions.tsx').then(({ NewListForm }) => ({ default: NewListForm })),
);

/** "New list": a button that becomes an inline name input; Enter makes the list and opens it. */
export function NewList() {
  const [open, setOpen] = useState(false);
  // Kept here, so a name typed, closed and opened again is still there.
  const [draft, setDraft] = useState({ name: '', error: null as string | null });
  const change: NewListDraft['change'] = (next) => setDraft((current) => ({ ...current, ...next }));
  const button = (
    <button type="button" className="button button-quiet new-list-button" onClick={() => setOpen(true)}>
      + New list
    </button>
  );
  if (!open) return button;
  return (
    <Suspense fallback={button}>
      <NewListForm draft={{ ...draft, change }} onClose={() => setOpen(false)} />
    </Suspense>
  );
}
