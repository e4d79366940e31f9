import { useEffect, useState } from 'react';
import { IconButton } from '../ui/icon-button.tsx';
import { type RestoreInput, restoreInput } from './todo-restore.ts';
import { endUndo, type UndoOffer } from './undo-offer.ts';
import './undo-message.css';

/** How long the offer stays, unless the pointer or the focus is on it. */
export const UNDO_MS = 8_000;

/** "Deleted “Buy milk”", "Cleared 3 completed todos". */
export function undoText(offer: UndoOffer): string {
  const [first] = offer.todos;
  if (offer.kind === 'delete' && first) return `Deleted “${first.title}”`;
  const count = offer.todos.length;
  return `Cleared ${count} completed ${count === 1 ? 'todo' : 'todos'}`;
}

/**
 * The message after a delete or "Clear completed", with Undo, for UNDO_MS: it waits while the
 * pointer or the focus is on it, and goes with Escape or its close button. It never takes the
 * focus. Loaded when first needed, with the restore's code (todo-restore.ts, re-exported for
 * the `restore` write: one chunk for both).
 */
export default function UndoMessage({
  offer,
  onUndo,
}: {
  offer: UndoOffer;
  onUndo: (input: RestoreInput) => void;
}) {
  const [held, setHeld] = useState({ pointer: false, focus: false });
  const waiting = held.pointer || held.focus;
  useEffect(() => {
    if (waiting) return;
    const timer = setTimeout(() => endUndo(offer.key), UNDO_MS);
    return () => clearTimeout(timer);
  }, [offer.key, waiting]);

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: it only listens to what happens on its own buttons (hover, focus, Escape); the buttons are the controls.
    <div
      className="undo"
      onMouseEnter={() => setHeld((now) => ({ ...now, pointer: true }))}
      onMouseLeave={() => setHeld((now) => ({ ...now, pointer: false }))}
      onFocus={() => setHeld((now) => ({ ...now, focus: true }))}
      onBlur={(event) => {
        if (!event.currentTarget.contains(event.relatedTarget)) setHeld((now) => ({ ...now, focus: false }));
      }}
      onKeyDown={(event) => {
        if (event.key === 'Escape') endUndo(offer.key);
      }}
    >
      <p>{undoText(offer)}</p>
      <button
        type="button"
        className="undo-button"
        onClick={() => {
          onUndo(restoreInput(offer.todos, offer.cached, offer.list));
          endUndo(offer.key);
        }}
      >
        Undo
      </button>
      <IconButton
        className="notice-dismiss"
        aria-label="Dismiss"
        icon="M6 6l12 12M18 6L6 18"
        onClick={() => endUndo(offer.key)}
      />
    </div>
  );
}
export { sendRestore, showRestore } from './todo-restore.ts';
