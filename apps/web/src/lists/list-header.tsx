import { type FormEvent, useState } from 'react';
import { navigate } from '../routing/path.ts';
import { reasonFor } from '../todos/write-notices.ts';
import { IconButton } from '../ui/icon-button.tsx';
import { type List, moveTarget, useListActions, useLists } from './use-lists.ts';
import './list-header.css';

function RenameForm({ list, onDone }: { list: List; onDone: () => void }) {
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

function ConfirmDelete({ list, onCancel }: { list: List; onCancel: () => void }) {
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
 * Above a list's todos (not the Inbox's): its name and who owns it; for everyone, moving it up
 * or down in their own order and its members (`onShare`); for the owner, also rename, delete
 * (after a confirmation) and share.
 */
export function ListHeader({ list, onShare }: { list: List; onShare: () => void }) {
  const [mode, setMode] = useState<'view' | 'rename' | 'delete'>('view');
  const owner = list.role === 'owner';
  return (
    <section className="list-header" aria-label="This list">
      {mode === 'rename' ? (
        <RenameForm list={list} onDone={() => setMode('view')} />
      ) : (
        <div className="list-header-row">
          <h2 className="list-title">{list.name}</h2>
          <div className="list-header-actions">
            <MoveButtons list={list} />
            <button type="button" className="button button-quiet" onClick={onShare}>
              {owner ? 'Share' : 'Members'}
            </button>
            {owner && (
              <>
                <button type="button" className="button button-quiet" onClick={() => setMode('rename')}>
                  Rename
                </button>
                <button type="button" className="button button-quiet" onClick={() => setMode('delete')}>
                  Delete
                </button>
              </>
            )}
          </div>
        </div>
      )}
      <p className="list-meta">
        {owner
          ? 'Your list'
          : `${list.owner.name}’s list · you are ${list.role === 'editor' ? 'an editor' : 'a viewer'}`}
        {list.memberCount > 1 && ` · ${list.memberCount} members`}
      </p>
      {mode === 'delete' && <ConfirmDelete list={list} onCancel={() => setMode('view')} />}
    </section>
  );
}
