import { useEffect, useRef, useState } from 'react';
import { navigate } from '../routing/path.ts';
import { IconButton } from '../ui/icon-button.tsx';
import { InviteForm } from './invite-form.tsx';
import { MembersList } from './members-list.tsx';
import type { List } from './use-lists.ts';
import { useMembers } from './use-members.ts';
import './share-dialog.css';

/**
 * The share dialog (a modal `<dialog>`: focus stays in it, Escape closes it). The owner invites
 * by email with a role, sees pending invites (revoke) and members (change role, remove); any
 * other member sees the members and "Leave list".
 */
export function ShareDialog({ list, onClose }: { list: List; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const actions = useMembers(list.id);
  const [error, setError] = useState<string | null>(null);
  const owner = list.role === 'owner';
  useEffect(() => {
    dialog.current?.showModal();
  }, []);

  const leave = () => {
    // Off the list first, so nothing on screen reads it as it goes (a refusal is told there).
    navigate('/', { replace: true });
    actions.leave.mutate({ id: list.id });
  };

  return (
    <dialog ref={dialog} className="share-dialog" aria-labelledby="share-title" onClose={onClose}>
      <div className="share-head">
        <h2 id="share-title">{owner ? `Share “${list.name}”` : `Members of “${list.name}”`}</h2>
        <IconButton
          className="share-close"
          aria-label="Close"
          icon="M6 6l12 12M18 6L6 18"
          onClick={onClose}
        />
      </div>
      {owner && <InviteForm listId={list.id} invite={actions.invite} />}
      <div role="alert">{error && <p className="notice notice-error">{error}</p>}</div>
      <MembersList listId={list.id} owner={owner} actions={actions} onError={setError} />
      {!owner && (
        <button type="button" className="button button-danger share-leave" onClick={leave}>
          Leave list
        </button>
      )}
    </dialog>
  );
}
