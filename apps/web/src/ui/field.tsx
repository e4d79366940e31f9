import { useId } from 'react';
import './field.css';

/**
 * A labelled text input with an optional hint and an inline error, both tied to the input for
 * screen readers (`aria-describedby`, `aria-invalid`). Used by the sign-in and account forms.
 */
export function Field(props: {
  label: string;
  name: string;
  type?: string;
  autoComplete: string;
  value: string;
  hint?: string;
  error?: string | undefined;
  inputRef?: React.Ref<HTMLInputElement>;
  onChange: (value: string) => void;
}) {
  const id = useId();
  const describedBy = [props.hint && `${id}-hint`, props.error && `${id}-error`].filter(Boolean).join(' ');
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        ref={props.inputRef}
        name={props.name}
        type={props.type ?? 'text'}
        autoComplete={props.autoComplete}
        value={props.value}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={describedBy || undefined}
        onChange={(event) => props.onChange(event.target.value)}
      />
      {props.hint && (
        <p id={`${id}-hint`} className="field-hint">
          {props.hint}
        </p>
      )}
      {props.error && (
        <p id={`${id}-error`} className="field-error">
          {props.error}
        </p>
      )}
    </div>
  );
}

/** Puts focus on the field named `name` in `form`: the first one a person has to fix. */
export function focusField(form: HTMLFormElement, name: string) {
  form.querySelector<HTMLInputElement>(`[name="${name}"]`)?.focus();
}
