import { useMutation } from '@tanstack/react-query';
import { lazy, Suspense } from 'react';
import type { Todo } from '../trpc.ts';
import { writeKey } from './todo-keys.ts';
import type { RestoreInput } from './todo-restore.ts';
import type { WriteContext, WriteMeta } from './todo-writes.ts';
import { loadUndo, useUndoOffer } from './undo-offer.ts';

// Loaded by the first delete, not by the first paint.
const UndoMessage = lazy(loadUndo);

/**
 * Where the undo message appears (a status region, there from the start so that screen readers
 * read what appears in it), after the list and outside TodoMVC's `.todoapp`. Undo sends the
 * `restore` write, which shows at once in the list that was on screen at the delete.
 */
export function UndoRegion({ onUndone }: { onUndone: () => void }) {
  const offer = useUndoOffer();
  const meta: WriteMeta | undefined = offer ? { list: offer.list } : undefined;
  const { mutate } = useMutation<Todo[], unknown, RestoreInput, WriteContext>({
    mutationKey: writeKey('restore'),
    meta,
  });
  return (
    <div role="status" className="status-region undo-region">
      {offer && (
        <Suspense fallback={null}>
          <UndoMessage
            key={offer.key}
            offer={offer}
            onUndo={(input) => {
              mutate(input);
              onUndone();
            }}
          />
        </Suspense>
      )}
    </div>
  );
}
