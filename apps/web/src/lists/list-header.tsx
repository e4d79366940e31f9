import { lazy, Suspense, useState } from 'react';
import type { List } from './use-lists.ts';
import './list-header.css';

// The header's actions and forms (list-actions.tsx): a chunk of its own, fetched as soon as a
// named list is on screen. Until it is there, the name and who owns the list show alone.
const loadActions = () => import('./list-actions.tsx');
const ListActions = lazy(() => loadActions().then(({ ListActions }) => ({ default: ListActions })));
const RenameForm = lazy(() => loadActions().then(({ RenameForm }) => ({ default: RenameForm })));
const ConfirmDelete = lazy(() => loadActions().then(({ ConfirmDelete }) => ({ default: ConfirmDelete })));

/**
 * Above a list's todos (not the Inbox's): its name and who owns it, and its actions
 * (list-actions.tsx): moving it, its members (`onShare`), and for the owner, rename and delete
 * (after a confirmation).
 */
export function ListHeader({ list, onShare }: { list: List; onShare: () => void }) {
  const [mode, setMode] = useState<'view' | 'rename' | 'delete'>('view');
  const owner = list.role === 'owner';
  const title = <h2 className="list-title">{list.name}</h2>;
  return (
    <section className="list-header" aria-label="This list">
      {mode === 'rename' ? (
        <Suspense fallback={title}>
          <RenameForm list={list} onDone={() => setMode('view')} />
        </Suspense>
      ) : (
        <div className="list-header-row">
          {title}
          <Suspense fallback={null}>
            <ListActions list={list} onShare={onShare} onMode={setMode} />
          </Suspense>
        </div>
      )}
      <p className="list-meta">
        {owner
          ? 'Your list'
          : `${list.owner.name}’s list · you are ${list.role === 'editor' ? 'an editor' : 'a viewer'}`}
        {list.memberCount > 1 && ` · ${list.memberCount} members`}
      </p>
      {mode === 'delete' && (
        <Suspense fallback={null}>
          <ConfirmDelete list={list} onCancel={() => setMode('view')} />
        </Suspense>
      )}
    </section>
  );
}
