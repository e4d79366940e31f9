import { useIsFetching, useIsMutating } from '@tanstack/react-query';
import { useRef } from 'react';
import { ListsLayout } from '../lists/lists-layout.tsx';
import { UnknownList } from '../lists/unknown-list.tsx';
import { useCurrentList } from '../lists/use-current-list.ts';
import type { SessionUser } from '../session/auth-api.ts';
import { EmptyState } from './empty-state.tsx';
import { useSearchBox } from './list-controls.tsx';
import { NewTodo } from './new-todo.tsx';
import { ReadOnlyList } from './read-only.ts';
import { RefusalNotice, useRefusal } from './refusal-notice.tsx';
import { TodoFooter } from './todo-footer.tsx';
import { listInput } from './todo-keys.ts';
import { TodoMain } from './todo-main.tsx';
import { TodoTopbar } from './todo-topbar.tsx';
import { UndoRegion } from './undo-region.tsx';
import { useFilter, useSort } from './use-filter.ts';
import { useLiveTodos } from './use-live-todos.ts';
import { useTodoActions } from './use-todo-actions.ts';
import { useTodoList } from './use-todo-list.ts';
import '../ui/page.css';
import './todo-screen.css';

/** Said when the list could not be loaded (and nothing of it is on screen), with a retry. */
function LoadFailed({ list }: { list: ReturnType<typeof useTodoList>['list'] }) {
  if (!list.isError || list.data) return null;
  return (
    <div className="notice notice-error" role="alert">
      <p>Your todos could not be loaded.</p>
      <button type="button" className="button" onClick={() => void list.refetch()}>
        Try again
      </button>
    </div>
  );
}

/**
 * The signed-in user's todos in one list (`listId`; none: the Inbox): TodoMVC's screen, with
 * search, sort, details and a live list, beside the list switcher.
 */
export function TodoScreen({
  user,
  listId,
  onSignOut,
}: {
  user: SessionUser;
  listId?: string | undefined;
  onSignOut: () => void;
}) {
  const filter = useFilter();
  const sort = useSort();
  const searchBox = useSearchBox();
  const input = listInput(sort, searchBox.search, listId);
  const { refusal, show, dismiss } = useRefusal();
  const current = useCurrentList(listId, show);
  const actions = useTodoActions(show, input);
  const connection = useLiveTodos();
  const view = useTodoList(input, filter);
  const newTodo = useRef<HTMLInputElement>(null);
  // Writes waiting offline are not being saved: the connection status counts them instead.
  const saving = useIsMutating({ predicate: (mutation) => !mutation.state.isPaused }) > 0;
  const fetching = useIsFetching() > 0;
  const { list, counts } = view;
  const readOnly = current.list?.role === 'viewer';

  if (current.unknown) return <UnknownList />;
  return (
    <ListsLayout
      listId={listId}
      list={current.list}
      topbar={(menu) => (
        <TodoTopbar user={user} connection={connection} saving={saving} onSignOut={onSignOut} menu={menu} />
      )}
    >
      <main>
        <RefusalNotice refusal={refusal} onDismiss={dismiss} />
        <LoadFailed list={list} />
        <ReadOnlyList.Provider value={readOnly}>
          <section
            className="todoapp"
            aria-labelledby="app-title"
            data-sync={saving || fetching ? 'busy' : 'idle'}
          >
            <header className="header">
              <h1 id="app-title">todos</h1>
              <NewTodo onAdd={actions.add} inputRef={newTodo} />
            </header>
            {view.total > 0 && (
              <TodoMain
                view={view}
                actions={actions}
                searchBox={searchBox}
                sort={sort}
                reorderable={
                  input.order === 'manual' && !input.search && !list.isPlaceholderData && !readOnly
                }
                newTodo={newTodo}
              />
            )}
            <EmptyState
              kind={view.emptyKind}
              filter={filter}
              search={input.search ?? ''}
              onClearSearch={searchBox.clear}
            />
            {view.total > 0 && counts && (
              <TodoFooter counts={counts} filter={filter} onClearCompleted={actions.clearCompleted} />
            )}
          </section>
        </ReadOnlyList.Provider>
        <UndoRegion onUndone={() => newTodo.current?.focus()} />
      </main>
      <footer className="info">
        <p>
          <span className="hint-pointer">Double-click a todo to edit it</span>
          <span className="hint-touch">Tap ⌄ beside a todo to edit or delete it</span>
        </p>
      </footer>
    </ListsLayout>
  );
}
