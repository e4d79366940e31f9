import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { errorCode } from '@todo/client';
import { databaseStatus, isDatabaseAway } from './database-status.ts';

/** Codes that will not change on a retry: the request itself is wrong or not allowed. */
const FINAL = new Set(['UNAUTHORIZED', 'FORBIDDEN', 'BAD_REQUEST', 'NOT_FOUND', 'TOO_MANY_REQUESTS']);

/**
 * The app's one QueryClient. Any call answered with UNAUTHORIZED (the session expired or was
 * ended elsewhere) reports it through `onUnauthorized`, which sends the user back to sign-in.
 */
export function createQueryClient(onUnauthorized: () => void): QueryClient {
  const reportExpiry = (error: unknown) => {
    if (errorCode(error) === 'UNAUTHORIZED') onUnauthorized();
  };
  const queryClient = new QueryClient({
    queryCache: new QueryCache({
      onError: reportExpiry,
    }),
    mutationCache: new MutationCache({ onError: reportExpiry }),
    defaultOptions: {
      queries: {
        staleTime: 5_000,
        // The database away: asked again, waiting longer each time, until it is back.
        retry: (failures, error) =>
          isDatabaseAway(error) || (!FINAL.has(errorCode(error) ?? '') && failures < 2),
      },
      mutations: { retry: false },
    },
  });
  databaseStatus(queryClient);
  return queryClient;
}
