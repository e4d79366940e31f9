// What the user is told about the list's writes: a refusal, or a queued write dropped because its
// todo is gone. The writes (todo-writes.ts) run outside React; the todo screen listens.
import { errorCode, TRPCClientError } from '@todo/client';

const listeners = new Set<(message: string) => void>();

/**
 * Calls `listener` with every sentence about a write; returns what stops it.
 *
 * @example
 * useEffect(() => onWriteNotice(setRefusal), []);
 */
export function onWriteNotice(listener: (message: string) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function notify(message: string) {
  for (const listener of listeners) listener(message);
}

/** Why the server refused a write, in words: the first field message, or what its code means. */
export function reasonFor(error: unknown): string {
  if (error instanceof TRPCClientError) {
    const data: unknown = error.data;
    const fieldErrors =
      data && typeof data === 'object' && 'zodError' in data
        ? (data.zodError as { fieldErrors?: Record<string, string[] | undefined> } | null)?.fieldErrors
        : undefined;
    const [field, messages] = Object.entries(fieldErrors ?? {})[0] ?? [];
    if (field && messages?.[0]) return `the ${field} ${messages[0]}`;
  }
  switch (errorCode(error)) {
    case 'TOO_MANY_REQUESTS':
      return 'too many changes at once, wait a moment and try again';
    case 'BAD_REQUEST':
      return 'the server did not accept it';
    default:
      return 'the server could not save it';
  }
}
