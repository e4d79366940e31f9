// Quick add's chips: the due date and the priority found in the new-todo text, shown before Enter,
// each a button that gives its words back to the title. A chunk of its own with the parser
// (@todo/client/quick-add and chrono-node), which new-todo.tsx loads once the person types.
import { parseQuickAdd, type QuickAdd, type QuickAddPart } from '@todo/client/quick-add';
import { type KeyboardEvent, useId } from 'react';
import { dateText, dueLabel } from './due-date.ts';
import { PRIORITIES } from './priorities.ts';
import './quick-add.css';

export { parseQuickAdd };

const CALENDAR = 'M5 6h14v14H5z M5 10h14 M9 3.5v4 M15 3.5v4';
const CROSS = 'M7 7l10 10M17 7L7 17';

/** A part in the app's date style: short on its chip (as its row will show it), whole when read out. */
function wordsFor(part: QuickAddPart, now: Date): { short: string; whole: string } {
  if (part.kind === 'priority') {
    const label = PRIORITIES.find((option) => option.priority === part.priority)?.label ?? part.priority;
    return { short: label, whole: `priority ${part.priority}` };
  }
  return {
    short: dueLabel(part.dueAt.toISOString(), now).text,
    whole: `due ${dateText(part.dueAt, { dateOnly: part.allDay })}`,
  };
}

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** What was found, in one sentence: "Due Fri 11 Dec 2026 18:00, priority high." ("" for nothing). */
export function quickAddSummary(quick: QuickAdd, now: Date): string {
  const found = quick.parts.map((part) => wordsFor(part, now).whole).join(', ');
  return found ? `${capitalised(found)}.` : '';
}

/**
 * The chips, the status line that reads them out (`statusId`, which the input is described by),
 * and a note for a numeric date that reads two ways. Backspace, Delete, Enter or Space on a chip,
 * or a click, keeps its words in the title (`onKeep`); focus goes back to the input.
 */
export function QuickAddChips({
  quick,
  now,
  statusId,
  onKeep,
}: {
  quick: QuickAdd | undefined;
  now: Date;
  statusId: string;
  onKeep: (part: QuickAddPart) => void;
}) {
  const onKeyDown = (part: QuickAddPart) => (event: KeyboardEvent<HTMLButtonElement>) => {
    if (event.key !== 'Backspace' && event.key !== 'Delete') return;
    event.preventDefault();
    onKeep(part);
  };
  const ambiguous = quick?.ambiguous;
  const hintId = useId();
  return (
    <>
      {quick && quick.parts.length > 0 && (
        <ul className="quick-add" aria-label="Found in the title">
          {quick.parts.map((part) => {
            const words = wordsFor(part, now);
            return (
              <li key={part.kind}>
                <button
                  type="button"
                  className={`quick-chip quick-chip-${part.kind}`}
                  aria-describedby={`${hintId}-${part.kind}`}
                  title={`Remove (Backspace): “${part.text}” stays in the title`}
                  onClick={() => onKeep(part)}
                  onKeyDown={onKeyDown(part)}
                >
                  {part.kind === 'due' ? (
                    <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
                      <path d={CALENDAR} />
                    </svg>
                  ) : (
                    <span className={`priority priority-${part.priority}`} aria-hidden="true">
                      {PRIORITIES.find((option) => option.priority === part.priority)?.mark}
                    </span>
                  )}
                  <span className="visually-hidden">{part.kind === 'due' ? 'Due ' : 'Priority '}</span>
                  <span className="quick-chip-text">{words.short}</span>
                  <svg className="quick-chip-remove" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
                    <path d={CROSS} />
                  </svg>
                </button>
                <span id={`${hintId}-${part.kind}`} className="visually-hidden">
                  Backspace removes it: “{part.text}” stays in the title.
                </span>
              </li>
            );
          })}
        </ul>
      )}
      {ambiguous && (
        <p className="quick-add-note">
          “{ambiguous.text}” stays in the title: it could be {ambiguous.dayFirst.words} or{' '}
          {ambiguous.monthFirst.words}. For a due date, write {ambiguous.dayFirst.iso} or{' '}
          {ambiguous.monthFirst.iso}.
        </p>
      )}
      <p id={statusId} className="visually-hidden" role="status">
        {quick ? quickAddSummary(quick, now) : ''}
      </p>
    </>
  );
}
