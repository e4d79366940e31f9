import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTRPCClient } from '../trpc.ts';

/** How the tab's live stream is doing: `offline` after it was lost, `back` for a moment after. */
export type Connection = 'connecting' | 'live' | 'offline' | 'back';

/**
 * The tab's one `todo.changes` stream, folded into the TanStack Query cache as events arrive
 * (live-sync.ts). Its code is fetched after the first paint, which needs none of it. A page
 * opened offline says so at once; when even that code cannot be fetched (no network and no
 * service worker's copy), the next `online` event tries again.
 */
export function useLiveTodos(): Connection {
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const [connection, setConnection] = useState<Connection>(() =>
    navigator.onLine ? 'connecting' : 'offline',
  );

  useEffect(() => {
    let stop: (() => void) | undefined;
    let stopped = false;
    const load = () => {
      import('./live-sync.ts').then(
        ({ startLiveSync }) => {
          if (!stopped) stop = startLiveSync({ client, queryClient, setConnection });
        },
        () => {
          if (stopped) return;
          setConnection('offline');
          window.addEventListener('online', load, { once: true });
        },
      );
    };
    load();
    return () => {
      stopped = true;
      window.removeEventListener('online', load);
      stop?.();
    };
  }, [client, queryClient]);

  return connection;
}
