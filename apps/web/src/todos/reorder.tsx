// Manual reordering of the todo list: a handle on each row that is dragged (dnd-kit, loaded on
// its own after the first paint) or moved with Alt+↑/↓, and a status line that says where the
// todo went. The list works as a plain list until, and whether or not, dnd-kit has loaded.
import {
  type CSSProperties,
  Fragment,
  type KeyboardEvent,
  type ReactNode,
  useEffect,
  useId,
  useLayoutEffect,
  useRef,
  useState,
} from 'react';
import type { Todo } from '../trpc.ts';
import { movedMessage, placement } from './reorder-cache.ts';
import './reorder.css';

/** What a row gets to take part in reordering: its node and drag style, and its handle. */
export type SortableRow = {
  ref?: (node: HTMLLIElement | null) => void;
  style?: CSSProperties;
  dragging?: boolean;
  handle: ReactNode;
};

/** Renders one todo's `<li>`; `row` is null where reordering is not offered. */
export type RenderRow = (todo: Todo, row: SortableRow | null) => ReactNode;

/** dnd-kit's hold on a handle: the node that starts a drag, and its pointer listeners. */
export type HandleActivator = {
  ref: (node: HTMLElement | null) => void;
  // biome-ignore lint/complexity/noBannedTypes: dnd-kit types its listeners as plain functions.
  listeners?: Record<string, Function>;
};

/** What the drag layer (reorder-sortable.tsx) receives. */
export type SortableLayerProps = {
  todos: Todo[];
  keyOf: (id: string) => string;
  renderRow: RenderRow;
  handleFor: (todo: Todo, index: number, activator: HandleActivator | null) => ReactNode;
  /** A drop moved the todo shown at `from` to `to`. */
  onDrop: (from: number, to: number) => void;
};

type Layer = typeof import('./reorder-sortable.tsx');

// Fetched as soon as the app starts, but in a chunk of its own: the first paint never waits for
// it, and by the time the list arrives from the server it is usually there.
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
  return layer?.SortableLayer ?? null;
}

function GripIcon() {
  return (
    <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path d="M9 6h.01M15 6h.01M9 12h.01M15 12h.01M9 18h.01M15 18h.01" />
    </svg>
  );
}

/**
 * The todo list, reorderable when `enabled` (the manual order, no search): each row gets a
 * handle, and `onMove` receives the todo and the id of the todo now just before it (null: the
 * top). Until the cache shows the move, the list shows it already, so a drop never jumps back.
 */
export function ReorderableList(props: {
  todos: Todo[];
  keyOf: (id: string) => string;
  enabled: boolean;
  onMove: (todo: Todo, afterId: string | null) => void;
  renderRow: RenderRow;
}) {
  if (!props.enabled) {
    return (
      <ul className="todo-list">
        {props.todos.map((todo) => (
          <Fragment key={props.keyOf(todo.id)}>{props.renderRow(todo, null)}</Fragment>
        ))}
      </ul>
    );
  }
  return <Reorderable {...props} />;
}

function Reorderable({
  todos,
  keyOf,
  onMove,
  renderRow,
}: {
  todos: Todo[];
  keyOf: (id: string) => string;
  onMove: (todo: Todo, afterId: string | null) => void;
  renderRow: RenderRow;
}) {
  const SortableLayer = useSortableLayer();
  const instructionsId = useId();
  const [announcement, setAnnouncement] = useState('');
  // The order just asked for, shown while the list given is still the one it was made from.
  const [pending, setPending] = useState<{ from: string; order: string[] } | null>(null);
  const handles = useRef(new Map<string, HTMLButtonElement>());
  const refocus = useRef<string | null>(null);

  const shownOrder = todos.map((todo) => keyOf(todo.id)).join('\n');
  useEffect(() => {
    if (pending && pending.from !== shownOrder) setPending(null);
  }, [pending, shownOrder]);
  const ordered =
    pending && pending.from === shownOrder
      ? pending.order.flatMap((key) => todos.find((todo) => keyOf(todo.id) === key) ?? [])
      : todos;

  // A row moved in the DOM loses focus: give it back to the handle that moved it.
  useLayoutEffect(() => {
    const key = refocus.current;
    if (key === null) return;
    refocus.current = null;
    const handle = handles.current.get(key);
    if (handle && document.activeElement !== handle) handle.focus();
  });

  const move = (from: number, to: number) => {
    const moved = ordered[from];
    const result = placement(ordered, from, to);
    if (!moved || !result) return;
    setPending({ from: shownOrder, order: result.order.map((todo) => keyOf(todo.id)) });
    onMove(moved, result.after?.id ?? null);
    setAnnouncement(movedMessage(moved, to + 1, ordered.length));
  };

  const onKeyDown = (event: KeyboardEvent<HTMLButtonElement>, todo: Todo, index: number) => {
    if (!event.altKey || (event.key !== 'ArrowUp' && event.key !== 'ArrowDown')) return;
    event.preventDefault();
    const to = event.key === 'ArrowUp' ? index - 1 : index + 1;
    if (to < 0 || to >= ordered.length) {
      setAnnouncement(`“${todo.title}” is already ${to < 0 ? 'first' : 'last'}`);
      return;
    }
    refocus.current = keyOf(todo.id);
    move(index, to);
  };

  const handleFor = (todo: Todo, index: number, activator: HandleActivator | null) => {
    const key = keyOf(todo.id);
    return (
      <button
        type="button"
        className="reorder-handle"
        aria-label={`Move “${todo.title}”`}
        aria-describedby={instructionsId}
        ref={(node) => {
          if (node) handles.current.set(key, node);
          else handles.current.delete(key);
          activator?.ref(node);
        }}
        {...activator?.listeners}
        onKeyDown={(event) => onKeyDown(event, todo, index)}
      >
        <GripIcon />
      </button>
    );
  };

  return (
    <>
      {SortableLayer ? (
        <SortableLayer
          todos={ordered}
          keyOf={keyOf}
          renderRow={renderRow}
          handleFor={handleFor}
          onDrop={move}
        />
      ) : (
        <ul className="todo-list">
          {ordered.map((todo, index) => (
            <Fragment key={keyOf(todo.id)}>
              {renderRow(todo, { handle: handleFor(todo, index, null) })}
            </Fragment>
          ))}
        </ul>
      )}
      <span id={instructionsId} hidden>
        Drag to move this todo, or press Alt with the up or down arrow.
      </span>
      <div className="visually-hidden reorder-status" role="status" aria-live="polite">
        {announcement}
      </div>
    </>
  );
}
