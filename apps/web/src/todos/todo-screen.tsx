import {
  keepPreviousData,
  useInfiniteQuery,
  useIsFetching,
  useIsMutating,
  useQuery,
} from '@tanstack/react-query';
import { type KeyboardEvent, useEffect, useRef, useState } from 'react';
import { followLink } from '../routing/path.ts';
import type { SessionUser } from '../session/auth-api.ts';
import { useTRPC } from '../trpc.ts';
import { ConnectionStatus } from './connection-status.tsx';
import { EmptyState, ListControls, useSearchBox } from './list-controls.tsx';
import { ReorderableList } from './reorder.tsx';
import { todosOf } from './todo-cache.ts';
import { TodoFooter } from './todo-footer.tsx';
import { TodoItem } from './todo-item.tsx';
import { listInput } from './todo-keys.ts';
import { matches, useFilter, useSort } from './use-filter.ts';
import { useLiveTodos } from './use-live-todos.ts';
import { useTodoActions } from './use-todo-actions.ts';

const NOTICE_MS = 10_000;
const CLOCK_MS = 30_000;

/** The current time, renewed every half minute: "Today" and overdue follow the clock. */
function useNow(): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), CLOCK_MS);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/** Fetches the next page whenever the returned element comes near the viewport. */
function useLoadMore(canLoad: boolean, loadMore: () => unknown) {
  const [element, setElement] = useState<HTMLElement | null>(null);
  const [near, setNear] = useState(false);
  useEffect(() => {
    if (!element) return;
    const observer = new IntersectionObserver(([entry]) => setNear(entry?.isIntersecting ?? false), {
      rootMargin: '400px 0px',
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [element]);
  useEffect(() => {
    if (near && canLoad) loadMore();
  }, [near, canLoad, loadMore]);
  return setElement;
}

function NewTodo({
  onAdd,
  inputRef,
}: {
  onAdd: (title: string) => void;
  inputRef: React.Ref<HTMLInputElement>;
}) {
  const [text, setText] = useState('');
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key !== 'Enter' || event.nativeEvent.isComposing) return;
    const title = text.trim();
    if (!title) return;
    onAdd(title);
    setText('');
  };
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

export function TodoScreen({ user, onSignOut }: { user: SessionUser; onSignOut: () => void }) {
  const trpc = useTRPC();
  const filter = useFilter();
  const sort = useSort();
  const searchBox = useSearchBox();
  const input = listInput(sort, searchBox.search);
  const now = useNow();
  const [refusal, setRefusal] = useState<string | null>(null);
  const [editingKey, setEditingKey] = useState<string | null>(null);
  const newTodo = useRef<HTMLInputElement>(null);
  const actions = useTodoActions(setRefusal, input);
  const connection = useLiveTodos();

  const list = useInfiniteQuery(
    trpc.todo.list.infiniteQueryOptions(input, {
      getNextPageParam: (page) => page.nextCursor,
      // Another order or search keeps the list on screen until its own arrives.
      placeholderData: keepPreviousData,
    }),
  );
  const counts = useQuery(trpc.todo.counts.queryOptions());
  // Writes waiting offline are not being saved: the connection status counts them instead.
  const saving = useIsMutating({ predicate: (mutation) => !mutation.state.isPaused }) > 0;
  const fetching = useIsFetching() > 0;
  const syncing = saving || fetching;
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = list;
  const loadMore = useLoadMore(hasNextPage && !isFetchingNextPage, fetchNextPage);

  useEffect(() => {
    if (!refusal) return;
    const timer = setTimeout(() => setRefusal(null), NOTICE_MS);
    return () => clearTimeout(timer);
  }, [refusal]);

  const todos = todosOf(list.data);
  const shown = todos.filter((todo) => matches(filter, todo.completed));
  const total = counts.data?.all ?? todos.length;
  const allCompleted = counts.data ? counts.data.all > 0 && counts.data.active === 0 : false;
  const settledList = list.isSuccess && !list.isPlaceholderData && !hasNextPage;
  const emptyKind = !counts.data
    ? null
    : counts.data.all === 0
      ? 'first'
      : input.search && settledList && shown.length === 0
        ? 'search'
        : (filter === 'active' && counts.data.active === 0) ||
            (filter === 'completed' && counts.data.completed === 0)
          ? 'filter'
          : null;

  return (
    <div className="page">
      <header className="topbar">
        <p className="topbar-user">
          <span className="topbar-prefix">Signed in as </span>
          <strong>{user.name}</strong>
        </p>
        <div className="topbar-actions">
          <ConnectionStatus connection={connection} />
          <span className="sync-state" aria-hidden="true">
            {saving ? 'Saving…' : ''}
          </span>
          <a className="button button-quiet" href="/account" onClick={followLink}>
            Account
          </a>
          <button type="button" className="button button-quiet" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      </header>
      <main>
        {refusal && (
          <div className="notice notice-error notice-floating" role="alert">
            <p>{refusal}</p>
            <button
              type="button"
              className="notice-dismiss"
              aria-label="Dismiss message"
              onClick={() => setRefusal(null)}
            >
              <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
                <path d="M6 6l12 12M18 6L6 18" />
              </svg>
            </button>
          </div>
        )}
        {list.isError && !list.data && (
          <div className="notice notice-error" role="alert">
            <p>Your todos could not be loaded.</p>
            <button type="button" className="button" onClick={() => void list.refetch()}>
              Try again
            </button>
          </div>
        )}
        <section className="todoapp" aria-labelledby="app-title" data-sync={syncing ? 'busy' : 'idle'}>
          <header className="header">
            <h1 id="app-title">todos</h1>
            <NewTodo onAdd={actions.add} inputRef={newTodo} />
          </header>
          {total > 0 && (
            <section className="main">
              <input
                id="toggle-all"
                className="toggle-all"
                type="checkbox"
                checked={allCompleted}
                onChange={() => actions.setAllCompleted(!allCompleted)}
              />
              <label htmlFor="toggle-all" title="Mark all as complete">
                <span className="visually-hidden">Mark all as complete</span>
              </label>
              <ListControls searchBox={searchBox} sort={sort} />
              <ReorderableList
                todos={shown}
                enabled={input.order === 'manual' && !input.search && !list.isPlaceholderData}
                onMove={actions.move}
                renderRow={(todo, row) => {
                  const key = todo.id;
                  return (
                    <TodoItem
                      key={key}
                      row={row}
                      todo={todo}
                      now={now}
                      editing={editingKey === key}
                      onToggle={() => actions.toggle(todo)}
                      onStartEditing={() => setEditingKey(key)}
                      onStopEditing={(title, byKeyboard) => {
                        setEditingKey((current) => (current === key ? null : current));
                        if (title === '') {
                          actions.remove(todo);
                          if (byKeyboard) newTodo.current?.focus();
                        } else if (title !== null && title !== todo.title) {
                          actions.rename(todo, title);
                        }
                      }}
                      onDelete={() => {
                        actions.remove(todo);
                        newTodo.current?.focus();
                      }}
                      onSaveDetails={(changes) => actions.saveDetails(todo, changes)}
                    />
                  );
                }}
              />
              {hasNextPage && (
                <button
                  ref={loadMore}
                  type="button"
                  className="load-more"
                  disabled={isFetchingNextPage}
                  onClick={() => void fetchNextPage()}
                >
                  {isFetchingNextPage ? 'Loading more…' : 'Show more todos'}
                </button>
              )}
            </section>
          )}
          <EmptyState
            kind={emptyKind}
            filter={filter}
            search={input.search ?? ''}
            onClearSearch={searchBox.clear}
          />
          {total > 0 && counts.data && (
            <TodoFooter counts={counts.data} filter={filter} onClearCompleted={actions.clearCompleted} />
          )}
        </section>
      </main>
      <footer className="info">
        <p>Double-click a todo to edit it</p>
      </footer>
    </div>
  );
}
