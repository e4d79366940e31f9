import { type KeyboardEvent, useEffect, useRef, useState } from 'react';
import './edit-field.css';

/**
 * TodoMVC's `.edit`, focused with the caret at the end: Enter and losing focus hand on the text,
 * Escape hands on `null` (cancel); the blur that follows Enter or Escape does nothing more.
 */
export function EditField({
  title,
  onDone,
}: {
  title: string;
  onDone: (text: string | null, how: 'key' | 'blur') => void;
}) {
  const [text, setText] = useState(title);
  const input = useRef<HTMLInputElement>(null);
  // Enter and Escape end editing; the blur that follows must not save a second time.
  const finished = useRef(false);
  const finish = (value: string | null, how: 'key' | 'blur') => {
    if (finished.current) return;
    finished.current = true;
    onDone(value, how);
  };

  useEffect(() => {
    const field = input.current;
    if (!field) return;
    field.focus();
    field.setSelectionRange(field.value.length, field.value.length);
  }, []);

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.nativeEvent.isComposing || (event.key !== 'Enter' && event.key !== 'Escape')) return;
    // Focus moves to the edit button next; without this, the same Enter would press it.
    event.preventDefault();
    finish(event.key === 'Enter' ? text : null, 'key');
  };

  return (
    <input
      ref={input}
      className="edit"
      aria-label={`Edit “${title}”`}
      value={text}
      onChange={(event) => setText(event.target.value)}
      onKeyDown={onKeyDown}
      onBlur={() => finish(text, 'blur')}
    />
  );
}
