import { lazy, type ReactNode, Suspense, useId, useState } from 'react';
import { AuthorsProvider } from './authors-provider.tsx';
import { ListHeader } from './list-header.tsx';
import { ListMenuButton, useListMenu } from './list-menu.tsx';
import { type AgendaView, ListSwitcher } from './list-switcher.tsx';
import type { List } from './use-lists.ts';

// Opened by a click, never by the first paint: the dialog (members, invites) loads then.
const ShareDialog = lazy(() =>
  import('./share-dialog.tsx').then(({ ShareDialog }) => ({ default: ShareDialog })),
);

/**
 * The frame of a list's screen: the switcher beside it (or behind the phone menu's button,
 * which `topbar` places), the list's header and share dialog (not for the Inbox), and the
 * members' names for the todos' details.
 */
export function ListsLayout({
  listId,
  list,
  view,
  topbar,
  children,
}: {
  /** The list on screen; undefined: the Inbox (unless a `view` is). */
  listId: string | undefined;
  /** A view across lists on screen instead of a list. */
  view?: AgendaView;
  list: List | undefined;
  topbar: (menuButton: ReactNode) => ReactNode;
  children: ReactNode;
}) {
  const menu = useListMenu();
  const switcherId = useId();
  const [sharing, setSharing] = useState(false);
  return (
    <div className="lists-layout">
      <ListSwitcher currentId={listId} view={view} id={switcherId} open={menu.open} />
      <div className="page">
        {topbar(<ListMenuButton open={menu.open} controls={switcherId} onToggle={menu.toggle} />)}
        {listId && list && <ListHeader list={list} onShare={() => setSharing(true)} />}
        {sharing && list && (
          <Suspense fallback={null}>
            <ShareDialog list={list} onClose={() => setSharing(false)} />
          </Suspense>
        )}
        <AuthorsProvider listId={listId} shared={(list?.memberCount ?? 1) > 1}>
          {children}
        </AuthorsProvider>
      </div>
    </div>
  );
}
