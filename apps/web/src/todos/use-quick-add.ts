// Quick add for the new-todo input: the parser and its chips come in a chunk of their own
// (quick-add.tsx, with chrono-node), fetched when the person first types, so the first load
// carries none of it. Until it has arrived, and should it fail to (offline before it was ever
// cached), the text is a plain title as TodoMVC has it: what the chips show is what Enter does.
import { useEffect, useMemo, useState } from 'react';
import type { NewTodoDetails } from './todo-writes.ts';

type QuickAddModule = typeof import('./quick-add.tsx');

let loaded: QuickAddModule | undefined;
let loading: Promise<QuickAddModule> | undefined;

/** The chunk, fetched once per page; after a failure the next keystroke tries again. */
function loadQuickAdd(): Promise<QuickAddModule> {
  loading ??= import('./quick-add.tsx').then(
    (module) => {
      loaded = module;
      return module;
    },
    (error: unknown) => {
      loading = undefined;
      throw error;
    },
  );
  return loading;
}

/**
 * What quick add finds in `text`, with the words the person chose to keep (removed chips), and
 * what to create: the title and its details.
 */
export function useQuickAdd(text: string) {
  const [module, setModule] = useState(loaded);
  const [keep, setKeep] = useState<string[]>([]);

  useEffect(() => {
    if (module || !text) return;
    let mounted = true;
    loadQuickAdd().then(
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
