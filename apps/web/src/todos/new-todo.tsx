import { type KeyboardEvent, useState } from 'react';
import { useReadOnly } from './read-only.ts';
import './new-todo.css';

/**
 * TodoMVC's `.new-todo`: Enter adds the trimmed text, if any is left, and empties the field. In
 * a list the caller only views, a line that says so instead.
 */
export function NewTodo({
  onAdd,
  inputRef,
}: {
  onAdd: (title: string) => void;
  inputRef: React.Ref<HTMLInputElement>;
}) {
  const [text, setText] = useState('');
  const readOnly = useReadOnly();
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key !== 'Enter' || event.nativeEvent.isComposing) return;
    const title = text.trim();
    if (!title) return;
    onAdd(title);
    setText('');
  };
  if (readOnly)
    return <p className="read-only-note">You can see this list. Its owner and editors change it.</p>;
  return (
    <input
      ref={inputRef}
      className="new-todo"
      placeholder="What needs to be done?"
      aria-label="New todo"
      // biome-ignore lint/a11y/noAutofocus: TodoMVC: the new-todo field has focus once the page has loaded.
      autoFocus
      value={text}
      onChange={(event) => setText(event.target.value)}
      onKeyDown={onKeyDown}
    />
  );
}
