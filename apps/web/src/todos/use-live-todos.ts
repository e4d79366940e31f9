import { type QueryClient, useQueryClient } from '@tanstack/react-query';
import { useLayoutEffect, useState } from 'react';
import { useTRPCClient } from '../trpc.ts';
import { chunk } from '../ui/chunk.ts';
import { todoKeys } from './todo-keys.ts';

/** How the tab's live stream is doing: `offline` after it was lost, `back` for a moment after. */
export type Connection = 'connecting' | 'live' | 'offline' | 'back';

/** How long the lists' first reads wait for a stream that neither opens nor fails. */
const READS_WAIT_MS = 3_000;
let readsAllowed = false;

/**
 * Whether the screens may read their todos (their queries' `enabled`). On load they wait for the
 * live stream: a stream opened without an event id brings what commits after it opened, so a
 * list read before that moment could miss a change made in between, which no event brings
 * either (reading again once it is open would read twice). The reads start when the stream has
 * opened (live-sync.ts), or when it will not soon: its code or the network is missing, it
 * failed, or READS_WAIT_MS passed. They never wait again in the page's life.
 */
export const readsOpen = () => readsAllowed;

/** Lets the screens read, and starts the reads that waited: a list never read, or restored and
 * due for a read (one restored with writes waiting counts as fresh, offline-cache.ts). */
export function openReads(queryClient: QueryClient) {
  if (readsAllowed) return;
  readsAllowed = true;
  void queryClient.refetchQueries({
    queryKey: todoKeys.all,
    type: 'active',
    predicate: ({ state }) => !state.dataUpdatedAt || state.isInvalidated,
  });
}

type LiveSync = typeof import('./live-sync.ts');

/** The live sync's code. live-sync.ts imports the event-stream link, which a browser would fetch
 * only once it has read live-sync's own chunk: both are asked for at once instead. */
const liveSync = chunk(() =>
  Promise.all([import('./live-sync.ts'), import('../live-link.ts')]).then(([module]) => module),
);

// Fetched from the start, beside the session check: a signed-in screen asks for its stream as
// soon as it appears, and its lists wait for that stream (readsOpen).
liveSync.load().catch(() => {});

/**
 * The tab's one `todo.changes` stream, folded into the TanStack Query cache as events arrive
 * (live-sync.ts). Its code is not in the first load (`liveSync`). The stream starts in a layout
 * effect, and the screen's lists wait for it to open before they are read (readsOpen). A page
 * opened offline says so at once, and reads (from the offline copy); when even the code cannot
 * be fetched (no network and no service worker's copy), the next `online` event tries again.
 */
export function useLiveTodos(): Connection {
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const [connection, setConnection] = useState<Connection>(() =>
    navigator.onLine ? 'connecting' : 'offline',
  );

  useLayoutEffect(() => {
    let stop: (() => void) | undefined;
    let stopped = false;
    const start = ({ startLiveSync }: LiveSync) => {
      if (!stopped) stop = startLiveSync({ client, queryClient, setConnection });
    };
    const load = () => {
      liveSync.load().then(start, () => {
        if (stopped) return;
        openReads(queryClient);
        setConnection('offline');
        window.addEventListener('online', load, { once: true });
      });
    };
    // Offline, the stream's first attempt fails, and that opens the reads (live-sync.ts).
    const wait = setTimeout(() => openReads(queryClient), READS_WAIT_MS);
    const loaded = liveSync.loaded();
    if (loaded) start(loaded);
    else load();
    return () => {
      stopped = true;
      clearTimeout(wait);
      window.removeEventListener('online', load);
      stop?.();
    };
  }, [client, queryClient]);

  return connection;
}
