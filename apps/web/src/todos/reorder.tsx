// Manual reordering of the todo list. Everything it needs (dnd-kit, the handles, Alt+↑/↓, the
// status line) is in a chunk of its own, reorder-sortable.tsx, fetched once the app runs: the
// first load stays small, and until that chunk is there the list is a plain TodoMVC list.
import { type CSSProperties, Fragment, type ReactNode, useEffect, useState } from 'react';
import type { Todo } from '../trpc.ts';

/** What a row gets to take part in reordering: its node and drag style, and its handle. */
export type SortableRow = {
  ref?: (node: HTMLLIElement | null) => void;
  style?: CSSProperties;
  dragging?: boolean;
  handle: ReactNode;
};

/** Renders one todo's `<li>`; `row` is null where reordering is not offered. */
export type RenderRow = (todo: Todo, row: SortableRow | null) => ReactNode;

export type ReorderableListProps = {
  todos: Todo[];
  /** Whether reordering is offered: the manual order, no search. */
  enabled: boolean;
  /** `todo` now comes just after `afterId` (null: at the top). */
  onMove: (todo: Todo, afterId: string | null) => void;
  renderRow: RenderRow;
};

type Layer = typeof import('./reorder-sortable.tsx');

// Fetched as soon as the app starts, but apart from the first-load bundle: the first paint never
// waits for it, and by the time the list arrives from the server it is usually there, so the
// rows are not rendered twice. Should it fail to load, the list simply stays a plain one.
let loadedLayer: Layer | null = null;
const loadingLayer: Promise<Layer | null> = import('./reorder-sortable.tsx').then(
  (layer) => {
    loadedLayer = layer;
    return layer;
  },
  () => null,
);

function useSortableLayer() {
  const [layer, setLayer] = useState(loadedLayer);
  useEffect(() => {
    if (layer) return;
    let current = true;
    void loadingLayer.then((loaded) => {
      if (current && loaded) setLayer(loaded);
    });
    return () => {
      current = false;
    };
  }, [layer]);
  return layer?.SortableList ?? null;
}

/** The `.todo-list`: reorderable by drag and Alt+↑/↓ when `enabled` and loaded, plain otherwise. */
export function ReorderableList(props: ReorderableListProps) {
  const SortableList = useSortableLayer();
  if (props.enabled && SortableList) return <SortableList {...props} />;
  return (
    <ul className="todo-list">
      {props.todos.map((todo) => (
        <Fragment key={todo.id}>{props.renderRow(todo, null)}</Fragment>
      ))}
    </ul>
  );
}
