/** The longest name an account may have, in characters (Unicode code points). */
export const NAME_MAX_LENGTH = 100;

/**
 * What plain text must not hold: control characters (line breaks, tabs, NUL, DEL, C1 controls),
 * the Unicode line and paragraph separators, the controls that reorder text on screen (bidi
 * embeddings, overrides and isolates), and halves of a surrogate pair. Whoever reads a name, in a
 * mail, a list's members or a log line, sees one line of text, in the order it was typed.
 */
const NOT_PLAIN_TEXT = /[\p{Cc}\p{Zl}\p{Zp}\p{Cs}\u202A-\u202E\u2066-\u2069]/u;
const NOT_PLAIN_TEXT_RUNS = new RegExp(`${NOT_PLAIN_TEXT.source}+`, 'gu');

/**
 * Why `name` cannot be an account's name, in words for the person who typed it; null when it
 * can. At most 100 characters, on one line, without control characters.
 *
 * @example
 * nameProblem('Ada Lovelace'); // null
 * nameProblem('Ada\nSECURITY ALERT'); // 'Name must be one line of text, without control characters.'
 */
export function nameProblem(name: unknown): string | null {
  if (typeof name !== 'string') return 'Name must be text.';
  if (NOT_PLAIN_TEXT.test(name)) return 'Name must be one line of text, without control characters.';
  if ([...name].length > NAME_MAX_LENGTH) return `Name must be at most ${NAME_MAX_LENGTH} characters.`;
  return null;
}

/**
 * `value` made safe to place in one line of a plain-text message: every run of what plain text
 * must not hold becomes one space. Whatever the value, it cannot start a line of its own.
 *
 * @example
 * plainText('Ada\r\n\r\nSECURITY ALERT'); // 'Ada SECURITY ALERT'
 */
export const plainText = (value: string) => value.replace(NOT_PLAIN_TEXT_RUNS, ' ');
