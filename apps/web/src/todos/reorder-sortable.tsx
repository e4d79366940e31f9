// The drag layer of the reorderable list, in a chunk of its own (reorder.tsx loads it): dnd-kit
// moves the rows under the pointer; a drop reports where the todo was put.
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
import type { Todo } from '../trpc.ts';
import type { SortableLayerProps } from './reorder.tsx';

/** The list only goes up and down. */
const alongTheList: Modifier = ({ transform }) => ({ ...transform, x: 0 });
const MODIFIERS = [alongTheList];

function SortableRow({
  id,
  todo,
  index,
  renderRow,
  handleFor,
}: {
  id: string;
  todo: Todo;
  index: number;
  renderRow: SortableLayerProps['renderRow'];
  handleFor: SortableLayerProps['handleFor'];
}) {
  const { setNodeRef, setActivatorNodeRef, listeners, transform, transition, isDragging } = useSortable({
    id,
  });
  return renderRow(todo, {
    ref: setNodeRef,
    style: { transform: CSS.Translate.toString(transform), transition },
    dragging: isDragging,
    handle: handleFor(todo, index, { ref: setActivatorNodeRef, listeners }),
  });
}

export function SortableLayer({ todos, keyOf, renderRow, handleFor, onDrop }: SortableLayerProps) {
  // A few pixels of travel before a drag starts, so a click on the handle stays a click; touch
  // drags start on the handle alone (its `touch-action: none`), the rest of the row scrolls.
  const sensors = useSensors(useSensor(PointerSensor, { activationConstraint: { distance: 6 } }));
  const keys = todos.map((todo) => keyOf(todo.id));
  const indexOf = (id: string | number) => keys.indexOf(String(id));
  const titleOf = (id: string | number) => todos[indexOf(id)]?.title ?? 'the todo';

  const announcements: Announcements = {
    onDragStart: ({ active }) => `Picked up “${titleOf(active.id)}”.`,
    onDragOver: ({ active, over }) =>
      over
        ? `“${titleOf(active.id)}” is over position ${indexOf(over.id) + 1} of ${keys.length}.`
        : `“${titleOf(active.id)}” is not over the list.`,
    // Where it went is said by the list's own status line, for drops and keys alike.
    onDragEnd: () => undefined,
    onDragCancel: ({ active }) => `“${titleOf(active.id)}” was put back where it was.`,
  };

  const onDragEnd = ({ active, over }: DragEndEvent) => {
    if (!over) return;
    const from = indexOf(active.id);
    const to = indexOf(over.id);
    if (from !== -1 && to !== -1 && from !== to) onDrop(from, to);
  };

  return (
    <DndContext
      sensors={sensors}
      collisionDetection={closestCenter}
      modifiers={MODIFIERS}
      onDragEnd={onDragEnd}
      accessibility={{ announcements }}
    >
      <SortableContext items={keys} strategy={verticalListSortingStrategy}>
        <ul className="todo-list">
          {todos.map((todo, index) => {
            const key = keys[index] ?? todo.id;
            return (
              <SortableRow
                key={key}
                id={key}
                todo={todo}
                index={index}
                renderRow={renderRow}
                handleFor={handleFor}
              />
            );
          })}
        </ul>
      </SortableContext>
    </DndContext>
  );
}
