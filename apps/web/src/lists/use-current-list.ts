import { useEffect, useRef } from 'react';
import { navigate } from '../routing/path.ts';
import { type List, useLists } from './use-lists.ts';

/**
 * The list on screen (`listId`; undefined: the Inbox) as `list.all` has it, and whether it is
 * unknown to the caller (by a `list.all` read since it was opened). A list that was there and is gone (deleted, or the caller removed:
 * the stream's `listRemoved`) takes the screen back to the Inbox, and `onGone` says why.
 */
export function useCurrentList(listId: string | undefined, onGone: (message: string) => void) {
  const lists = useLists();
  const all = lists.data?.lists;
  const list: List | undefined = all?.find((each) => (listId ? each.id === listId : each.isInbox));
  const seen = useRef<List | undefined>(undefined);
  // When this list was opened: lists read before then (kept offline, or fresh for a few seconds)
  // may predate the caller joining it, so a list missing from them is asked for again first.
  const opened = useRef({ listId, at: Date.now() });
  if (opened.current.listId !== listId) opened.current = { listId, at: Date.now() };
  const readSinceOpened = lists.dataUpdatedAt >= opened.current.at;
  const { refetch } = lists;
  useEffect(() => {
    if (listId && all && !list && !readSinceOpened) void refetch();
  }, [listId, all, list, readSinceOpened, refetch]);

  useEffect(() => {
    if (list) {
      seen.current = list;
      return;
    }
    const was = seen.current;
    seen.current = undefined;
    if (all && was && listId && was.id === listId) {
      navigate('/', { replace: true });
      onGone(`You no longer have access to “${was.name}”.`);
    }
  }, [list, all, listId, onGone]);

  return { list, unknown: Boolean(listId && all && !list && !lists.isFetching && readSinceOpened) };
}
