// Who is signed in, also without a network: the server is asked on every load, and when it cannot
// be reached the user whose todos this browser kept (offline/offline-cache.ts) is shown them.
import { onlineManager, type QueryClient } from '@tanstack/react-query';
import { isListWrite } from '../todos/todo-writes.ts';
import { getSessionUser, type SessionUser } from './auth-api.ts';

/** The signed-in user; `unchecked` while the server could not be asked (the saved user). */
export type Session = (SessionUser & { unchecked?: true }) | null;

export type OfflineSession = ReturnType<typeof createOfflineSession>;

export function createOfflineSession(queryClient: QueryClient) {
  // TanStack Query takes the browser to be online until an event says otherwise; a page loaded
  // offline must hold its writes from the start.
  onlineManager.setOnline(navigator.onLine);
  // Not needed for the first paint online: a chunk of its own, fetched next to the session check.
  const cache = import('../offline/offline-cache.ts')
    .then(({ createOfflineCache }) => createOfflineCache(queryClient))
    .catch(() => undefined);
  let userId: string | undefined;

  /** Writes queued for one account are never sent with another's session. */
  const forgetWrites = () => {
    const mutations = queryClient.getMutationCache();
    for (const mutation of mutations.findAll({ predicate: isListWrite })) {
      mutations.remove(mutation);
    }
  };

  return {
    /** The session query's function: the server's answer, or the saved user when it has none. */
    async check(): Promise<Session> {
      let user: Session;
      try {
        user = await getSessionUser();
      } catch (error) {
        const saved = await (await cache)?.savedUser();
        if (!saved) throw error;
        user = { ...saved, unchecked: true };
      }
      if (!user) {
        (await cache)?.stop();
        return null;
      }
      if (userId !== undefined && userId !== user.id) forgetWrites();
      userId = user.id;
      await (await cache)?.start(user);
      return user;
    },
    /** Sign-out: this browser keeps nothing of the account, and its waiting writes are dropped. */
    async signedOut() {
      forgetWrites();
      userId = undefined;
      await (await cache)?.clear();
    },
  };
}
