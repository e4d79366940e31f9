import type { Todo } from '../trpc.ts';

/** The priorities, lowest first, with the mark a row shows: text, so not colour alone. */
export const PRIORITIES: { priority: Todo['priority']; label: string; mark: string }[] = [
  { priority: 'none', label: 'None', mark: '' },
  { priority: 'low', label: 'Low', mark: '!' },
  { priority: 'medium', label: 'Medium', mark: '!!' },
  { priority: 'high', label: 'High', mark: '!!!' },
];
