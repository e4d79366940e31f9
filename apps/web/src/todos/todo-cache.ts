// Pure helpers that read and write a cached list (todo-pages.ts) and the counts: the writes'
// optimistic steps and the live sync use them.
import type { Todo, TodoCounts } from '../trpc.ts';
import type { ListInput } from './todo-keys.ts';
import { type TodoList, todosOf } from './todo-pages.ts';

export function findTodo(list: TodoList | undefined, id: string): Todo | undefined {
  return todosOf(list).find((todo) => todo.id === id);
}

export function mapTodos(list: TodoList, change: (todo: Todo) => Todo): TodoList {
  return { ...list, pages: list.pages.map((page) => ({ ...page, items: page.items.map(change) })) };
}

/** The list without the todos `remove` picks; the same list when it picks none. */
export function removeTodos(list: TodoList, remove: (todo: Todo) => boolean): TodoList {
  if (!todosOf(list).some(remove)) return list;
  return {
    ...list,
    pages: list.pages.map((page) => ({ ...page, items: page.items.filter((todo) => !remove(todo)) })),
  };
}

/** A todo added here, as the tab shows it until the server answers: last in the manual order
 * (after the largest position the tab knows of), with the browser's guess at its times. */
export function draftTodo(
  id: string,
  title: string,
  list: TodoList | undefined,
  listId?: string,
  details: Partial<Pick<Todo, 'dueAt' | 'priority'>> = {},
): Todo {
  const now = new Date().toISOString();
  const last = todosOf(list).reduce((largest, todo) => Math.max(largest, todo.position), 0);
  return {
    id,
    // The Inbox's calls name no list: its todos' list then, which the server fills in anyway.
    listId: listId ?? todosOf(list)[0]?.listId ?? '',
    title,
    description: null,
    completed: false,
    dueAt: details.dueAt ?? null,
    priority: details.priority ?? 'none',
    position: last + 1,
    createdBy: null,
    updatedBy: null,
    createdAt: now,
    updatedAt: now,
  };
}

/** Appends at the end, but only when the end is loaded: otherwise it arrives with its page. */
function appendTodo(list: TodoList, todo: Todo): TodoList {
  const last = list.pages.at(-1);
  if (!last || last.nextCursor !== null) return list;
  return { ...list, pages: [...list.pages.slice(0, -1), { ...last, items: [...last.items, todo] }] };
}

/** The server's search: a literal, case-insensitive substring of the title or the description. */
export function matchesSearch(todo: Pick<Todo, 'title' | 'description'>, search: string): boolean {
  const text = search.toLowerCase();
  return todo.title.toLowerCase().includes(text) || (todo.description?.toLowerCase().includes(text) ?? false);
}

/** Where a todo added here shows before the server has answered: first when the newest come
 * first; otherwise last, as in the manual order and (no due date, no priority) in the due and
 * priority orders; nowhere while a search it does not match is shown. */
export function placeNewTodo(list: TodoList, todo: Todo, input: ListInput): TodoList {
  if (input.search && !matchesSearch(todo, input.search)) return list;
  if (input.order !== 'newest') return appendTodo(list, todo);
  const [first, ...rest] = list.pages;
  return first ? { ...list, pages: [{ ...first, items: [todo, ...first.items] }, ...rest] } : list;
}

export const countsAfter = {
  created: (counts: TodoCounts): TodoCounts => ({
    ...counts,
    all: counts.all + 1,
    active: counts.active + 1,
  }),
  toggled: (counts: TodoCounts, completed: boolean): TodoCounts => {
    const delta = completed ? 1 : -1;
    return { ...counts, active: counts.active - delta, completed: counts.completed + delta };
  },
  deleted: (counts: TodoCounts, todo: Todo): TodoCounts => ({
    all: counts.all - 1,
    active: counts.active - (todo.completed ? 0 : 1),
    completed: counts.completed - (todo.completed ? 1 : 0),
  }),
  allSet: (counts: TodoCounts, completed: boolean): TodoCounts => ({
    all: counts.all,
    active: completed ? 0 : counts.all,
    completed: completed ? counts.all : 0,
  }),
  cleared: (counts: TodoCounts): TodoCounts => ({ all: counts.active, active: counts.active, completed: 0 }),
};
