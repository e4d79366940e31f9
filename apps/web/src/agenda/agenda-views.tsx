import { type RefObject, useId } from 'react';
import { dateText } from '../todos/due-date.ts';
import { LoadMore } from '../todos/load-more.tsx';
import type { ListInput } from '../todos/todo-keys.ts';
import { useTodoActions } from '../todos/use-todo-actions.ts';
import { type Day, upcomingDays } from './agenda-days.ts';
import { AgendaTodos, useAgendaQuery } from './agenda-list.tsx';

type ViewProps = {
  inputs: Record<'overdue' | 'today' | 'upcoming', ListInput>;
  now: Date;
  onNotice: (message: string) => void;
  focusAfterDelete: RefObject<HTMLElement | null>;
};

/** Said while a view's todos are not there yet, or could not be read. */
function Pending({ query }: { query: ReturnType<typeof useAgendaQuery>['query'] }) {
  if (query.isError && !query.data) {
    return (
      <div className="notice notice-error" role="alert">
        <p>These todos could not be loaded.</p>
        <button type="button" className="button" onClick={() => void query.refetch()}>
          Try again
        </button>
      </div>
    );
  }
  return query.isPending ? <p className="agenda-empty">Loading…</p> : null;
}

/** One heading and its rows, or what its emptiness says (`empty`; none: not shown when empty). */
function Group({
  title,
  detail,
  input,
  empty,
  props,
}: {
  title: string;
  detail?: string;
  input: ListInput;
  empty?: string;
  props: ViewProps;
}) {
  const id = useId();
  const { query, todos } = useAgendaQuery(input);
  const actions = useTodoActions(props.onNotice, input);
  if (todos.length === 0 && !empty && !query.isError) return null;
  return (
    <section className="agenda-group" aria-labelledby={id}>
      <h2 id={id}>
        {title}
        {detail && <span className="agenda-detail"> {detail}</span>}
      </h2>
      <Pending query={query} />
      {query.isSuccess && todos.length === 0 && <p className="agenda-empty">{empty}</p>}
      {todos.length > 0 && (
        <AgendaTodos
          todos={todos}
          now={props.now}
          actions={actions}
          focusAfterDelete={props.focusAfterDelete}
          label={id}
        />
      )}
      <LoadMore pages={query} />
    </section>
  );
}

/** Today: what is overdue (shown only when something is), then what is due today. */
export function TodayView(props: ViewProps) {
  return (
    <>
      <Group title="Overdue" input={props.inputs.overdue} props={props} />
      <Group
        title="Today"
        detail={dateText(props.now, { dateOnly: true })}
        input={props.inputs.today}
        empty="Nothing due today."
        props={props}
      />
    </>
  );
}

/** Upcoming: each of the next 7 days, with its todos or "Nothing due". */
export function UpcomingView(props: ViewProps) {
  const { query, todos } = useAgendaQuery(props.inputs.upcoming);
  const actions = useTodoActions(props.onNotice, props.inputs.upcoming);
  const days: Day[] = upcomingDays(todos, props.now);
  return (
    <>
      <Pending query={query} />
      {query.isSuccess &&
        days.map((day) => {
          const id = `day-${day.start.getTime()}`;
          return (
            <section key={id} className="agenda-group" aria-labelledby={id}>
              <h2 id={id}>{day.name}</h2>
              {day.todos.length === 0 ? (
                <p className="agenda-empty">Nothing due</p>
              ) : (
                <AgendaTodos
                  todos={day.todos}
                  now={props.now}
                  actions={actions}
                  focusAfterDelete={props.focusAfterDelete}
                  label={id}
                />
              )}
            </section>
          );
        })}
      <LoadMore pages={query} />
    </>
  );
}
