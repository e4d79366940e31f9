import { followLink } from '../routing/path.ts';
import { listPath } from '../routing/routes.ts';
import { NewList } from './new-list.tsx';
import { groupLists, type List, useLists } from './use-lists.ts';
import './list-switcher.css';

/** The views of every list's todos by due date (agenda/), above the lists. */
export type AgendaView = 'today' | 'upcoming';
const VIEWS: { view: AgendaView; name: string }[] = [
  { view: 'today', name: 'Today' },
  { view: 'upcoming', name: 'Upcoming' },
];

function ListLink({ list, current, inbox }: { list: List; current: boolean; inbox?: boolean }) {
  const active = list.counts.active;
  return (
    <li>
      <a
        className="list-link"
        href={listPath(inbox ? undefined : list.id)}
        aria-current={current ? 'page' : undefined}
        onClick={followLink}
        data-list-id={list.id}
      >
        <span className="list-link-name">{inbox ? 'Inbox' : list.name}</span>
        <span className="list-link-count">
          {active}
          {/* Not "active": TodoMVC's filter links are found by that name. */}
          <span className="visually-hidden"> open</span>
        </span>
      </a>
    </li>
  );
}

function Group({
  title,
  lists,
  currentId,
  empty,
}: {
  title: string;
  lists: List[];
  currentId: string | undefined;
  /** What an empty group says; none: an empty group is not shown. */
  empty?: string;
}) {
  if (lists.length === 0 && !empty) return null;
  return (
    <>
      <h2 className="list-group-title">{title}</h2>
      {lists.length === 0 && <p className="list-group-empty">{empty}</p>}
      <ul className="list-group">
        {lists.map((list) => (
          <ListLink key={list.id} list={list} current={list.id === currentId} />
        ))}
      </ul>
    </>
  );
}

/**
 * The list switcher: Inbox, the caller's own lists and those shared with them, each with its
 * active count, and "New list". A sidebar on wide screens; at phone width the "Lists" button
 * opens it (list-menu.tsx). `currentId` is the list on screen (undefined: the Inbox), unless
 * `view` says Today or Upcoming is.
 */
export function ListSwitcher({
  currentId,
  view,
  id,
  open,
}: {
  currentId: string | undefined;
  view?: AgendaView | undefined;
  id: string;
  /** At phone width: whether the menu is open (a sidebar is always shown). */
  open: boolean;
}) {
  const { data } = useLists();
  const { inbox, own, shared } = groupLists(data?.lists ?? []);
  return (
    <nav className="list-switcher" id={id} aria-label="Lists" data-open={open ? '' : undefined}>
      <ul className="list-group">
        {VIEWS.map((each) => (
          <li key={each.view}>
            <a
              className="list-link"
              href={`/${each.view}`}
              aria-current={view === each.view ? 'page' : undefined}
              onClick={followLink}
            >
              <span className="list-view-name">{each.name}</span>
            </a>
          </li>
        ))}
        {inbox && (
          <ListLink
            list={inbox}
            current={!view && (currentId === undefined || currentId === inbox.id)}
            inbox
          />
        )}
      </ul>
      <Group title="My lists" lists={own} currentId={currentId} />
      <NewList />
      <Group
        title="Shared with me"
        lists={shared}
        currentId={currentId}
        empty="Nothing shared with you yet"
      />
    </nav>
  );
}
