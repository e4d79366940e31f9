import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useLayoutEffect, useState } from 'react';
import { useTRPCClient } from '../trpc.ts';

/** How the tab's live stream is doing: `offline` after it was lost, `back` for a moment after. */
export type Connection = 'connecting' | 'live' | 'offline' | 'back';

type LiveSync = typeof import('./live-sync.ts');
let loaded: LiveSync | undefined;
let loading: Promise<LiveSync> | undefined;

/** Fetches the live sync's code (once; after a failure the next call tries again). */
function loadLiveSync(): Promise<LiveSync> {
  // live-sync.ts imports the event-stream link, which a browser would fetch only once it has
  // read live-sync's own chunk: both are asked for at once instead.
  loading ??= Promise.all([import('./live-sync.ts'), import('../live-link.ts')]).then(
    ([module]) => {
      loaded = module;
      return module;
    },
    (error: unknown) => {
      loading = undefined;
      throw error;
    },
  );
  return loading;
}

/**
 * Whether the live sync's code has arrived (or could not be fetched), fetching it from the
 * moment the app starts, next to the session check. The signed-in screen waits for it, so that
 * it asks for the stream before it reads the lists (useLiveTodos): a small chunk that comes with
 * the session's answer, and spares a second read of the lists when the stream starts.
 */
export function useLiveSyncLoaded(): boolean {
  const [settled, setSettled] = useState(loaded !== undefined);
  useEffect(() => {
    if (settled) return;
    const done = () => setSettled(true);
    void loadLiveSync().then(done, done);
  }, [settled]);
  return settled;
}

/**
 * The tab's one `todo.changes` stream, folded into the TanStack Query cache as events arrive
 * (live-sync.ts). Its code is not in the first load (loadLiveSync). The stream starts in a layout
 * effect, before the screen's queries start their reads (theirs are passive effects): a stream
 * asked for first spares those reads being made again when it starts. A page opened offline says
 * so at once; when even the code cannot be fetched (no network and no service worker's copy),
 * the next `online` event tries again.
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
      loadLiveSync().then(start, () => {
        if (stopped) return;
        setConnection('offline');
        window.addEventListener('online', load, { once: true });
      });
    };
    if (loaded) start(loaded);
    else load();
    return () => {
      stopped = true;
      window.removeEventListener('online', load);
      stop?.();
    };
  }, [client, queryClient]);

  return connection;
}
