import { type KeyboardEvent, type RefObject, useEffect, useId, useState } from 'react';
import { useReadOnly } from './read-only.ts';
import type { NewTodoDetails } from './todo-writes.ts';
import { useQuickAdd } from './use-quick-add.ts';
import './new-todo.css';

/** The most a title holds (the API's limit, in UTF-16 code units as `length` counts them). */
const MAX_TITLE = 500;
/** From how many characters the field counts them. */
const COUNT_FROM = MAX_TITLE - 50;

/**
 * TodoMVC's "the new-todo field has focus once the page has loaded", once the field is there.
 * Not `autoFocus`: React focuses that while it puts the page in, and focusing makes the browser
 * lay out the whole page there and then, in the same task as the page's first render (about
 * 40 ms of this machine's time, four times that on Lighthouse's phone). After the next frame the
 * layout is done and the focus is cheap. A key pressed before then focuses the field at once
 * (the browser then types it there), so no key is lost.
 */
function useFocusOnceShown(inputRef: RefObject<HTMLInputElement | null>, shown: boolean) {
  useEffect(() => {
    if (!shown) return;
    // Once unmounted, or read-only, there is no field: a late timer focuses nothing.
    const focus = () => {
      removeEventListener('keydown', focus, true);
      inputRef.current?.focus();
    };
    addEventListener('keydown', focus, true);
    requestAnimationFrame(() => setTimeout(focus));
    return () => removeEventListener('keydown', focus, true);
  }, [inputRef, shown]);
}

/**
 * TodoMVC's `.new-todo`: Enter adds the trimmed text, if any is left, and empties the field. Near
 * the limit it counts the characters; past it, Enter keeps the text and says why nothing was
 * added. In a list the caller only views, a line that says so instead.
 *
 * Quick add: a due date and a priority in the text ("Call mum tomorrow 18:00 !high") show as
 * chips under it before Enter, and Enter adds the title without them, due then and with that
 * priority. A chip removed (Backspace on it, or Escape in the field for the last one) leaves its
 * words in the title. A plain title stays exactly as TodoMVC has it.
 */
export function NewTodo({
  onAdd,
  inputRef,
}: {
  /** `details`: the due date and the priority quick add found (empty for a plain title). */
  onAdd: (title: string, details: NewTodoDetails) => void;
  inputRef: RefObject<HTMLInputElement | null>;
}) {
  const [text, setText] = useState('');
  const [refused, setRefused] = useState(false);
  const readOnly = useReadOnly();
  useFocusOnceShown(inputRef, !readOnly);
  const countId = useId();
  const statusId = useId();
  const quickAdd = useQuickAdd(text);
  const { quick } = quickAdd;
  const length = text.trim().length;
  const keepWords = (words: string) => {
    quickAdd.keepWords(words);
    inputRef.current?.focus();
  };
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Escape' && quick?.parts.length) return keepWords(quick.parts.at(-1)?.text ?? '');
    if (event.key !== 'Enter' || event.nativeEvent.isComposing) return;
    const { title, details } = quickAdd;
    if (!title) return;
    if (length > MAX_TITLE) return setRefused(true);
    onAdd(title, details);
    setText('');
    quickAdd.reset();
  };
  if (readOnly)
    return <p className="read-only-note">You can see this list. Its owner and editors change it.</p>;
  const describedBy = [
    length > COUNT_FROM && countId,
    (quick?.parts.length || quick?.ambiguous) && statusId,
  ].filter(Boolean);
  const Chips = quickAdd.module?.QuickAddChips;
  return (
    <>
      <input
        ref={inputRef}
        className="new-todo"
        placeholder="What needs to be done?"
        aria-label="New todo"
        aria-describedby={describedBy.join(' ') || undefined}
        aria-invalid={length > MAX_TITLE || undefined}
        value={text}
        onChange={(event) => {
          setText(event.target.value);
          setRefused(false);
          if (!event.target.value.trim()) quickAdd.reset();
        }}
        onKeyDown={onKeyDown}
      />
      {Chips && (
        <Chips quick={quick} now={quickAdd.now} statusId={statusId} onKeep={(part) => keepWords(part.text)} />
      )}
      {length > COUNT_FROM && (
        <p
          id={countId}
          className="new-todo-count"
          data-over={length > MAX_TITLE || undefined}
          role={refused ? 'alert' : undefined}
        >
          {refused
            ? `A title holds at most ${MAX_TITLE} characters; this one has ${length}. Shorten it, or put the rest in its details.`
            : `${length} / ${MAX_TITLE}`}
        </p>
      )}
    </>
  );
}
