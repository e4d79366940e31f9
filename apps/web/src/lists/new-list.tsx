import { type FormEvent, useState } from 'react';
import { navigate } from '../routing/path.ts';
import { listPath } from '../routing/routes.ts';
import { reasonFor } from '../todos/write-notices.ts';
import { useListActions } from './use-lists.ts';

/** "New list": a button that becomes an inline name input; Enter makes the list and opens it. */
export function NewList() {
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const { create } = useListActions();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim()) return setOpen(false);
    create.mutate(
      { name: name.trim() },
      {
        onSuccess: (list) => {
          setName('');
          setOpen(false);
          setError(null);
          navigate(listPath(list.id));
        },
        onError: (failure) => setError(`Could not make the list: ${reasonFor(failure)}.`),
      },
    );
  };

  if (!open) {
    return (
      <button type="button" className="button button-quiet new-list-button" onClick={() => setOpen(true)}>
        + New list
      </button>
    );
  }
  return (
    <form className="new-list" onSubmit={submit}>
      <input
        className="list-name-input"
        aria-label="New list name"
        placeholder="List name"
        maxLength={100}
        value={name}
        // biome-ignore lint/a11y/noAutofocus: the person just asked for this input
        autoFocus
        onChange={(event) => setName(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Escape') setOpen(false);
        }}
        aria-invalid={error ? true : undefined}
      />
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
