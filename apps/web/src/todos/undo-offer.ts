// The undo on offer after a delete or "Clear completed": what was deleted and what the tab had
// cached just before, for the undo message (undo-message.tsx) to restore. One offer at a time: a
// newer delete replaces it. Kept outside React, so that it outlives a change of list or view.
import { useSyncExternalStore } from 'react';
import type { Todo } from '../trpc.ts';
import type { ListInput } from './todo-keys.ts';
import type { CachedLists } from './todo-restore.ts';

export type UndoOffer = {
  /** Tells one offer from the next (a new message, a new timer). */
  key: number;
  kind: 'delete' | 'clear';
  /** The todos deleted, as the tab showed them. */
  todos: Todo[];
  /** The cached lists just before, which say where each todo was. */
  cached: CachedLists;
  /** The list on screen, where the restore shows at once. */
  list: ListInput;
};

let offer: UndoOffer | null = null;
let lastKey = 0;
const listeners = new Set<() => void>();
const changed = () => {
  for (const listener of listeners) listener();
};

/** Offers to undo the delete of `todos` (nothing to offer: none were known). */
export function offerUndo(next: Omit<UndoOffer, 'key'>) {
  if (next.todos.length === 0) return;
  lastKey += 1;
  offer = { ...next, key: lastKey };
  changed();
}

/** Withdraws the offer `key` (dismissed, timed out or used); a newer one stays. */
export function endUndo(key: number) {
  if (offer?.key !== key) return;
  offer = null;
  changed();
}

const subscribe = (listener: () => void) => {
  listeners.add(listener);
  return () => listeners.delete(listener);
};

/** The undo on offer now, if any. */
export const useUndoOffer = (): UndoOffer | null => useSyncExternalStore(subscribe, () => offer);

/** Undo's chunk: the message, and the restore's code (todo-restore.ts) that the `restore` write
 * runs. One import for both, so the bundler makes one chunk of them. */
export const loadUndo = () => import('./undo-message.tsx');
