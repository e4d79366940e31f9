// The reorderable todo list, in a chunk of its own (reorder.tsx loads it): each row gets a handle
// that dnd-kit drags, or that moves the todo one place with Alt+↑/↓; a status line says where it
// went. A move shows at once, before the cache has it, so a drop never jumps back.
import {
  type Announcements,
  closestCenter,
  DndContext,
  type DragEndEvent,
  type Modifier,
  PointerSensor,
  useSensor,
  useSensors,
} from '@dnd-kit/core';
import { SortableContext, useSortable, verticalListSortingStrategy } from '@dnd-kit/sortable';
import { CSS } from '@dnd-kit/utilities';
import {
  type KeyboardEvent,
  type ReactNode,
  useEffect,
  useId,
  useLayoutEffect,
  useRef,
  useState,
} from 'react';
import type { Todo } from '../trpc.ts';
import type { RenderRow, ReorderableListProps } from './reorder.tsx';
import { movedMessage, movesToShow, type PendingMove, placement, withMoves } from './reorder-cache.ts';
import './reorder.css';

/** dnd-kit's hold on a handle: the node that starts a drag, and its pointer listeners. */
type Activator = {
  ref: (node: HTMLElement | null) => void;
  // biome-ignore lint/complexity/noBannedTypes: dnd-kit types its listeners as plain functions.
  listeners: Record<string, Function> | undefined;
};

/** The list only goes up and down. */
const alongTheList: Modifier = ({ transform }) => ({ ...transform, x: 0 });
const MODIFIERS = [alongTheList];

const idOf = (todo: Todo) => todo.id;

function GripIcon() {
  return (
    <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path d="M9 6h.01M15 6h.01M9 12h.01M15 12h.01M9 18h.01M15 18h.01" />
    </svg>
  );
}

function SortableRow({
  id,
  todo,
  renderRow,
  handle,
}: {
  id: string;
  todo: Todo;
  renderRow: RenderRow;
  handle: (activator: Activator) => ReactNode;
}) {
  const { setNodeRef, setActivatorNodeRef, listeners, transform, transition, isDragging } = useSortable({
    id,
  });
  return renderRow(todo, {
    ref: setNodeRef,
    style: { transform: CSS.Translate.toString(transform), transition },
    dragging: isDragging,
    handle: handle({ ref: setActivatorNodeRef, listeners }),
  });
}

/**
 * The todos in the order to show: the list given, with the moves asked for here that it does not
 * show yet (the cache is written a moment after a drop, and moves queue behind the writes before
 * them) on top. Once the list given shows a move, it and those before it are done.
 */
function useShownMoves(todos: Todo[]) {
  const [pending, setPending] = useState<PendingMove[]>([]);
  const toShow = movesToShow(todos, pending, idOf);
  const ordered = toShow.length > 0 ? withMoves(todos, toShow, idOf) : todos;
  const done = pending.length - toShow.length;
  useEffect(() => {
    if (done > 0 && pending.length >= done) setPending((moves) => moves.slice(done));
  }, [done, pending]);
  return { ordered, add: (move: PendingMove) => setPending((moves) => [...moves, move]) };
}

/** The handles by todo; a row moved in the DOM loses focus, so it goes back to the handle that moved it. */
function useHandleFocus() {
  const handles = useRef(new Map<string, HTMLButtonElement>());
  const refocus = useRef<string | null>(null);
  useLayoutEffect(() => {
    const key = refocus.current;
    if (key === null) return;
    refocus.current = null;
    const handle = handles.current.get(key);
    if (handle && document.activeElement !== handle) handle.focus();
  });
  return {
    /** The ref callback of `key`'s handle. */
    track: (key: string) => (node: HTMLButtonElement | null) => {
      if (node) handles.current.set(key, node);
      else handles.current.delete(key);
    },
    /** After the next render, focus goes back to `key`'s handle. */
    refocus: (key: string) => {
      refocus.current = key;
    },
  };
}

/** What screen readers hear during a drag, by dnd-kit; where it went is said by the status line. */
function announcementsFor(ordered: Todo[], keys: string[]): Announcements {
  const indexOf = (id: string | number) => keys.indexOf(String(id));
  const titleOf = (id: string | number) => ordered[indexOf(id)]?.title ?? 'the todo';
  return {
    onDragStart: ({ active }) => `Picked up “${titleOf(active.id)}”.`,
    onDragOver: ({ active, over }) =>
      over
        ? `“${titleOf(active.id)}” is over position ${indexOf(over.id) + 1} of ${keys.length}.`
        : `“${titleOf(active.id)}” is not over the list.`,
    onDragEnd: () => undefined,
    onDragCancel: ({ active }) => `“${titleOf(active.id)}” was put back where it was.`,
  };
}

/**
 * A move, from one place on screen to another: shown at once, sent, and said on the status line.
 * Alt+↑/↓ on a handle moves its todo one place, and keeps focus on the handle.
 */
function useMove(
  ordered: Todo[],
  onMove: ReorderableListProps['onMove'],
  add: (move: PendingMove) => void,
  refocus: (key: string) => void,
) {
  const [announcement, setAnnouncement] = useState('');
  const move = (from: number, to: number) => {
    const moved = ordered[from];
    const result = placement(ordered, from, to);
    if (!moved || !result) return;
    const after = result.after?.id ?? null;
    add({ key: moved.id, after });
    onMove(moved, after);
    setAnnouncement(movedMessage(moved, to + 1, ordered.length));
  };
  const moveByKey = (event: KeyboardEvent<HTMLButtonElement>, todo: Todo) => {
    if (!event.altKey || (event.key !== 'ArrowUp' && event.key !== 'ArrowDown')) return;
    event.preventDefault();
    const from = ordered.findIndex((item) => item.id === todo.id);
    const to = event.key === 'ArrowUp' ? from - 1 : from + 1;
    if (to < 0 || to >= ordered.length) {
      setAnnouncement(`“${todo.title}” is already ${to < 0 ? 'first' : 'last'}`);
      return;
    }
    refocus(todo.id);
    move(from, to);
  };
  return { announcement, move, moveByKey };
}

export function SortableList({ todos, onMove, renderRow }: ReorderableListProps) {
  const instructionsId = useId();
  const { ordered, add } = useShownMoves(todos);
  const focus = useHandleFocus();
  const { announcement, move, moveByKey } = useMove(ordered, onMove, add, focus.refocus);
  const keys = ordered.map(idOf);

  const handleFor = (todo: Todo) => (activator: Activator) => {
    const track = focus.track(todo.id);
    return (
      <button
        type="button"
        className="reorder-handle"
        aria-label={`Move “${todo.title}”`}
        aria-describedby={instructionsId}
        ref={(node) => {
          track(node);
          activator.ref(node);
        }}
        {...activator.listeners}
        onKeyDown={(event) => moveByKey(event, todo)}
      >
        <GripIcon />
      </button>
    );
  };

  // A few pixels of travel before a drag starts, so a click on the handle stays a click; touch
  // drags start on the handle alone (its `touch-action: none`), the rest of the row scrolls.
  const sensors = useSensors(useSensor(PointerSensor, { activationConstraint: { distance: 6 } }));
  const onDragEnd = ({ active, over }: DragEndEvent) => {
    const from = keys.indexOf(String(active.id));
    const to = over ? keys.indexOf(String(over.id)) : -1;
    if (from !== -1 && to !== -1) move(from, to);
  };

  return (
    <>
      <DndContext
        sensors={sensors}
        collisionDetection={closestCenter}
        modifiers={MODIFIERS}
        onDragEnd={onDragEnd}
        accessibility={{ announcements: announcementsFor(ordered, keys) }}
      >
        <SortableContext items={keys} strategy={verticalListSortingStrategy}>
          <ul className="todo-list" data-reorder="drag">
            {ordered.map((todo, index) => (
              <SortableRow
                key={keys[index]}
                id={keys[index] ?? todo.id}
                todo={todo}
                renderRow={renderRow}
                handle={handleFor(todo)}
              />
            ))}
          </ul>
        </SortableContext>
      </DndContext>
      <span id={instructionsId} hidden>
        Drag to move this todo, or press Alt with the up or down arrow.
      </span>
      <div className="visually-hidden reorder-status" role="status" aria-live="polite">
        {announcement}
      </div>
    </>
  );
}
