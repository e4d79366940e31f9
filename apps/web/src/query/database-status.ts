// Whether the server's last word was that it cannot reach its database (503,
// SERVICE_UNAVAILABLE): set by any such failure of a query, a write (each retry counts) or the
// live stream, cleared by any success. The calls themselves retry (query-client.ts,
// todos/todo-writes.ts); this only says why nothing moves meanwhile.
import { type QueryClient, useQueryClient } from '@tanstack/react-query';
import { errorCode } from '@todo/client';
import { useSyncExternalStore } from 'react';

type Status = { away: boolean; readonly listeners: Set<() => void>; set(away: boolean): void };

const statuses = new WeakMap<QueryClient, Status>();

/** The status of `queryClient`'s calls, watched from the first call on. */
export function databaseStatus(queryClient: QueryClient): Status {
  const known = statuses.get(queryClient);
  if (known) return known;
  const status: Status = {
    away: false,
    listeners: new Set(),
    set(away) {
      if (status.away === away) return;
      status.away = away;
      for (const listener of status.listeners) listener();
    },
  };
  statuses.set(queryClient, status);
  const seen = (action: { type: string; error?: unknown }) => {
    if (action.type === 'success') status.set(false);
    else if ((action.type === 'failed' || action.type === 'error') && isDatabaseAway(action.error)) {
      status.set(true);
    }
  };
  queryClient.getQueryCache().subscribe((event) => {
    if (event.type === 'updated') seen(event.action);
  });
  queryClient.getMutationCache().subscribe((event) => {
    if (event.type === 'updated') seen(event.action);
  });
  return status;
}

/** A call the server could not serve because its database is away: worth sending again. */
export const isDatabaseAway = (error: unknown) => errorCode(error) === 'SERVICE_UNAVAILABLE';

/** True while the server says it cannot reach its database. */
export function useDatabaseAway(): boolean {
  const status = databaseStatus(useQueryClient());
  return useSyncExternalStore(
    (listener) => {
      status.listeners.add(listener);
      return () => status.listeners.delete(listener);
    },
    () => status.away,
  );
}
