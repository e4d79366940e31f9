// Quick add for the new-todo input: the parser and its chips come in a chunk of their own
// (quick-add.tsx, with chrono-node), fetched when the person first types, so the first load
// carries none of it. Until it has arrived, and should it fail to (offline before it was ever
// cached), the text is a plain title as TodoMVC has it: what the chips show is what Enter does.
import { useEffect, useMemo, useState } from 'react';
import { chunk } from '../ui/chunk.ts';
import type { NewTodoDetails } from './todo-writes.ts';

/** The parser and its chips, fetched when the person first types. */
const quickAdd = chunk(() => import('./quick-add.tsx'));

/**
 * What quick add finds in `text`, with the words the person chose to keep (removed chips), and
 * what to create: the title and its details.
 */
export function useQuickAdd(text: string) {
  const [module, setModule] = useState(quickAdd.loaded);
  const [keep, setKeep] = useState<string[]>([]);

  useEffect(() => {
    if (module || !text) return;
    let mounted = true;
    quickAdd.load().then(
      (arrived) => mounted && setModule(arrived),
      () => {},
    );
    return () => {
      mounted = false;
    };
  }, [module, text]);

  const { quick, now } = useMemo(() => {
    const now = new Date();
    return { quick: module && text.trim() ? module.parseQuickAdd(text, { keep, now }) : undefined, now };
  }, [module, text, keep]);

  const details: NewTodoDetails = {};
  if (quick?.due) details.dueAt = quick.due.dueAt.toISOString();
  if (quick?.priority) details.priority = quick.priority.priority;

  return {
    /** The chips' module, once it has arrived. */
    module,
    quick,
    now,
    /** The title Enter adds: without the parts found, else the text trimmed. */
    title: quick ? quick.title : text.trim(),
    details,
    /** Leaves a part's words in the title, as typed. */
    keepWords: (words: string) => setKeep((kept) => [...kept, words]),
    /** Forgets the kept words: the text they were in is gone. */
    reset: () => setKeep([]),
  };
}
