import { useIsFetching, useIsMutating } from '@tanstack/react-query';
import { useRef } from 'react';
import { ListsLayout } from '../lists/lists-layout.tsx';
import type { SessionUser } from '../session/auth-api.ts';
import { RefusalNotice, useRefusal } from '../todos/refusal-notice.tsx';
import { TodoTopbar } from '../todos/todo-topbar.tsx';
import { UndoRegion } from '../todos/undo-region.tsx';
import { useLiveTodos } from '../todos/use-live-todos.ts';
import { useNow } from '../todos/use-now.ts';
import { agendaInputs } from './agenda-days.ts';
import { TodayView, UpcomingView } from './agenda-views.tsx';
import '../ui/page.css';
import '../todos/todo-screen.css';
import './agenda.css';

/**
 * Today (overdue and due today) or Upcoming (the next 7 days, day by day): the todos of every
 * list of the person's, by due date, in their time zone. Live, offline and writable as any
 * list; loaded when first opened, outside the first load.
 */
export default function AgendaScreen({
  user,
  view,
  onSignOut,
}: {
  user: SessionUser;
  view: 'today' | 'upcoming';
  onSignOut: () => void;
}) {
  const { refusal, show, dismiss } = useRefusal();
  const connection = useLiveTodos();
  const saving = useIsMutating({ predicate: (mutation) => !mutation.state.isPaused }) > 0;
  const fetching = useIsFetching() > 0;
  const now = useNow();
  const heading = useRef<HTMLHeadingElement>(null);
  const props = { inputs: agendaInputs(now), now, onNotice: show, focusAfterDelete: heading };
  return (
    <ListsLayout
      listId={undefined}
      list={undefined}
      view={view}
      topbar={(menu) => (
        <TodoTopbar user={user} connection={connection} saving={saving} onSignOut={onSignOut} menu={menu} />
      )}
    >
      <main>
        <RefusalNotice refusal={refusal} onDismiss={dismiss} />
        <section
          className="agenda"
          aria-labelledby="agenda-title"
          data-sync={saving || fetching ? 'busy' : 'idle'}
        >
          <h1 id="agenda-title" ref={heading} tabIndex={-1}>
            {view === 'today' ? 'Today' : 'Upcoming'}
          </h1>
          {view === 'today' ? <TodayView {...props} /> : <UpcomingView {...props} />}
        </section>
        <UndoRegion onUndone={() => heading.current?.focus()} />
      </main>
    </ListsLayout>
  );
}
