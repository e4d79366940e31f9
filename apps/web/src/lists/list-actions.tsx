// What changes lists: a list header's actions beyond its name (moving it, its members, and for
// its owner, renaming and deleting it, with their forms), and the new-list form. A chunk of its
// own, which list-header.tsx loads once a named list is on screen and new-list.tsx when "New
// list" is pressed; the first paint needs none of it.
import { type FormEvent, useState } from 'react';
import { navigate } from '../routing/path.ts';
import { listPath } from '../routing/routes.ts';
import { reasonFor } from '../todos/write-notices.ts';
import { IconButton } from '../ui/icon-button.tsx';
import { moveTarget, useListActions } from './use-list-actions.ts';
import { type List, useLists } from './use-lists.ts';

/** The list's name in a field: Enter saves it, Escape leaves it as it was. */
export function RenameForm({ list, onDone }: { list: List; onDone: () => void }) {
  const [name, setName] = useState(list.name);
  const [error, setError] = useState<string | null>(null);
  const { rename } = useListActions();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (name.trim() === list.name) return onDone();
    rename.mutate(
      { id: list.id, name: name.trim() },
      { onSuccess: onDone, onError: (failure) => setError(`Could not rename it: ${reasonFor(failure)}.`) },
    );
  };
  return (
    <form className="list-rename" onSubmit={submit}>
      <input
        className="list-name-input"
        aria-label="List name"
        maxLength={100}
        value={name}
        // biome-ignore lint/a11y/noAutofocus: the person just asked to rename
        autoFocus
        onChange={(event) => setName(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Escape') onDone();
        }}
      />
      <button type="submit" className="button button-primary">
        Save
      </button>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

/** "Delete the list and its todos?", with Cancel taking the focus. */
export function ConfirmDelete({ list, onCancel }: { list: List; onCancel: () => void }) {
  const { remove } = useListActions();
  const todos = list.counts.active + list.counts.completed;
  return (
    <div className="notice notice-error list-confirm" role="alertdialog" aria-labelledby="delete-list-q">
      <p id="delete-list-q">
        Delete “{list.name}” and its {todos} {todos === 1 ? 'todo' : 'todos'}? Its members lose it too.
      </p>
      <div className="list-confirm-actions">
        <button
          type="button"
          className="button button-danger"
          onClick={() => {
            // Off the list first, so nothing on screen reads it as it goes.
            navigate('/', { replace: true });
            remove.mutate({ id: list.id });
          }}
        >
          Delete list
        </button>
        {/* biome-ignore lint/a11y/noAutofocus: the safe choice takes the focus */}
        <button type="button" className="button" onClick={onCancel} autoFocus>
          Cancel
        </button>
      </div>
    </div>
  );
}

const ARROWS = { up: 'M12 19V5M6 11l6-6 6 6', down: 'M12 5v14M6 13l6 6 6-6' };

/** Moves the list one place up or down among its group in the caller's own order of lists. */
function MoveButtons({ list }: { list: List }) {
  const lists = useLists().data?.lists ?? [];
  const { move } = useListActions();
  return (
    <>
      {([-1, 1] as const).map((step) => {
        const afterId = moveTarget(lists, list, step);
        return (
          <IconButton
            key={step}
            className="button button-quiet list-move"
            aria-label={`Move “${list.name}” ${step === -1 ? 'up' : 'down'}`}
            icon={step === -1 ? ARROWS.up : ARROWS.down}
            disabled={afterId === undefined || move.isPending}
            onClick={() => afterId !== undefined && move.mutate({ id: list.id, afterId })}
          />
        );
      })}
    </>
  );
}

/**
 * A list's actions, beside its name: for everyone, moving it up or down in their own order and
 * its members (`onShare`); for the owner, also rename and delete (`onMode`).
 */
export function ListActions({
  list,
  onShare,
  onMode,
}: {
  list: List;
  onShare: () => void;
  onMode: (mode: 'rename' | 'delete') => void;
}) {
  const owner = list.role === 'owner';
  return (
    <div className="list-header-actions">
      <MoveButtons list={list} />
      <button type="button" className="button button-quiet" onClick={onShare}>
        {owner ? 'Share' : 'Members'}
      </button>
      {owner && (
        <>
          <button type="button" className="button button-quiet" onClick={() => onMode('rename')}>
            Rename
          </button>
          <button type="button" className="button button-quiet" onClick={() => onMode('delete')}>
            Delete
          </button>
        </>
      )}
    </div>
  );
}

/** What the new-list form keeps while it is closed and opened again (new-list.tsx holds it). */
export type NewListDraft = {
  name: string;
  error: string | null;
  change: (draft: { name?: string; error?: string | null }) => void;
};

/** The new list's name: Enter makes the list and opens it; Escape or an empty name closes it. */
export function NewListForm({ draft, onClose }: { draft: NewListDraft; onClose: () => void }) {
  const { name, error, change } = draft;
  const { create } = useListActions();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim()) return onClose();
    create.mutate(
      { name: name.trim() },
      {
        onSuccess: (list) => {
          change({ name: '', error: null });
          onClose();
          navigate(listPath(list.id));
        },
        onError: (failure) => change({ error: `Could not make the list: ${reasonFor(failure)}.` }),
      },
    );
  };

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
        onChange={(event) => change({ name: event.target.value })}
        onKeyDown={(event) => {
          if (event.key === 'Escape') onClose();
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
