import { type KeyboardEvent, useId, useState } from 'react';
import { useReadOnly } from './read-only.ts';
import './new-todo.css';

/** The most a title holds (the API's limit, in UTF-16 code units as `length` counts them). */
const MAX_TITLE = 500;
/** From how many characters the field counts them. */
const COUNT_FROM = MAX_TITLE - 50;

/**
 * TodoMVC's `.new-todo`: Enter adds the trimmed text, if any is left, and empties the field. Near
 * the limit it counts the characters; past it, Enter keeps the text and says why nothing was
 * added. In a list the caller only views, a line that says so instead.
 */
export function NewTodo({
  onAdd,
  inputRef,
}: {
  onAdd: (title: string) => void;
  inputRef: React.Ref<HTMLInputElement>;
}) {
  const [text, setText] = useState('');
  const [refused, setRefused] = useState(false);
  const readOnly = useReadOnly();
  const countId = useId();
  const length = text.trim().length;
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key !== 'Enter' || event.nativeEvent.isComposing) return;
    const title = text.trim();
    if (!title) return;
    if (title.length > MAX_TITLE) return setRefused(true);
    onAdd(title);
    setText('');
  };
  if (readOnly)
    return <p className="read-only-note">You can see this list. Its owner and editors change it.</p>;
  return (
    <>
      <input
        ref={inputRef}
        className="new-todo"
        placeholder="What needs to be done?"
        aria-label="New todo"
        aria-describedby={length > COUNT_FROM ? countId : undefined}
        aria-invalid={length > MAX_TITLE || undefined}
        // biome-ignore lint/a11y/noAutofocus: TodoMVC: the new-todo field has focus once the page has loaded.
        autoFocus
        value={text}
        onChange={(event) => {
          setText(event.target.value);
          setRefused(false);
        }}
        onKeyDown={onKeyDown}
      />
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
