// The signed-in user's todo lists, counts and waiting writes, kept in IndexedDB (idb-keyval) so
// that a reload without a network shows the last list at once and sends the writes made offline
// when it can. Loaded on demand, next to the session check (session/offline-session.ts). How it
// is laid out, so that saving and restoring never hold the main thread long: offline-parts.ts.
import {
  type DehydratedState,
  dehydrate,
  hydrate,
  type Mutation,
  partialMatchKey,
  type Query,
  type QueryClient,
} from '@tanstack/react-query';
import { del, get } from 'idb-keyval';
import type { SessionUser } from '../session/auth-api.ts';
import { todoKeys } from '../todos/todo-keys.ts';
import { isListWrite, type WriteContext } from '../todos/todo-writes.ts';
import {
  createPartsWriter,
  KEY,
  type Manifest,
  pruneParts,
  readQuery,
  yieldToMain,
} from './offline-parts.ts';

/** Changes come in bursts (a write changes the list, the counts and the mutation): one save each. */
const SAVE_MS = 100;

/** What builds before this layout saved: everything in one entry. Read once, then replaced. */
type SavedWhole = { version: 1; user: SessionUser; state: DehydratedState };
type Saved = SavedWhole | Manifest;

/** The queries worth having offline: every cached list (order, search), the counts, the lists. */
const isPersisted = (query: Query) =>
  partialMatchKey(query.queryKey, todoKeys.lists) ||
  partialMatchKey(query.queryKey, todoKeys.allCounts) ||
  partialMatchKey(query.queryKey, todoKeys.listsAll);
const isWaitingWrite = (mutation: Mutation) => isListWrite(mutation) && mutation.state.status === 'pending';

/**
 * The lists and counts as shown, and every write not yet answered, paused or not (one under way
 * when the page goes is sent again: creates carry their id, so a repeat is harmless). Errors are
 * left out (IndexedDB cannot store every error), and so are rollback snapshots: after a reload a
 * refused write's list is read again from the server instead.
 */
function snapshotOf(queryClient: QueryClient): DehydratedState {
  const state = dehydrate(queryClient, {
    shouldDehydrateQuery: (query) => query.state.status === 'success' && isPersisted(query),
    shouldDehydrateMutation: isWaitingWrite,
  });
  return {
    queries: state.queries.map((query) => ({
      ...query,
      state: { ...query.state, error: null, fetchFailureReason: null, fetchStatus: 'idle' },
    })),
    mutations: state.mutations.map((mutation) => {
      const context = mutation.state.context as WriteContext | undefined;
      return {
        ...mutation,
        state: {
          ...mutation.state,
          context: context?.title === undefined ? {} : { title: context.title },
          error: null,
          failureReason: null,
          failureCount: 0,
          isPaused: true,
        },
      };
    }),
  };
}

/**
 * A saved query as it is put back. With writes waiting, the saved lists (which show them) count
 * as fresh: read before the writes are sent they would lack them. The last write's answer has
 * the lists read again. Without, they are shown and read again at once: saved a moment before a
 * reload, they would otherwise pass for fresh, and a change just made (a list moved, one just
 * joined) would not show.
 */
function asRestored(query: DehydratedState['queries'][number], waiting: boolean, now: number) {
  return {
    ...query,
    state: waiting ? { ...query.state, dataUpdatedAt: now } : { ...query.state, isInvalidated: true },
  };
}

/**
 * Puts a saved state back: the lists, a query at a time with a yield in between (each part read
 * and copied apart), then the writes, sent now if the network is there. `known` hears of each
 * part read, which a save then need not write again.
 */
async function restore(queryClient: QueryClient, saved: Saved, known: (value: unknown, key: string) => void) {
  const now = Date.now();
  const mutations = saved.version === 1 ? saved.state.mutations : saved.mutations;
  const waiting = mutations.length > 0;
  if (saved.version === 1) {
    const queries = saved.state.queries.map((query) => asRestored(query, waiting, now));
    hydrate(queryClient, { queries, mutations: [] });
  } else {
    for (const kept of saved.queries) {
      const query = await readQuery(kept, known).catch(() => undefined);
      if (query) hydrate(queryClient, { queries: [asRestored(query, waiting, now)], mutations: [] });
      await yieldToMain();
    }
  }
  hydrate(queryClient, { queries: [], mutations });
  void queryClient.resumePausedMutations();
}

/**
 * The cache's IndexedDB writes, one after another, so a late save cannot land after a delete;
 * and which save is the newest: an older one still under way gives up, its parts unnamed.
 */
function createSaves(queryClient: QueryClient) {
  const parts = createPartsWriter();
  let writes: Promise<unknown> = Promise.resolve();
  const enqueue = (write: () => Promise<unknown>) => {
    writes = writes.then(write).catch(() => undefined);
    return writes;
  };
  let latest = 0;
  /** The last save whose manifest is written: behind `latest`, a save is waiting or under way. */
  let finished = 0;
  return {
    known: parts.known,
    /** Saves `user`'s todos after the writes before it, a part at a time; not `sliced` (the
     * page is going away), at once, in one transaction, ahead of a save under way. */
    save(user: SessionUser, sliced: boolean) {
      const ticket = ++latest;
      const write = async () => {
        if (ticket !== latest) return;
        const state = snapshotOf(queryClient);
        const manifest = await parts.write(user, state, { sliced, cancelled: () => ticket !== latest });
        if (!manifest || ticket !== latest) return;
        finished = ticket;
        await pruneParts(manifest);
      };
      if (sliced) void enqueue(write);
      else writes = write().catch(() => undefined);
    },
    /** Whether a save is waiting or under way. */
    busy: () => finished !== latest,
    /** Deletes everything kept, after the writes before it; a save under way gives up. */
    async clear() {
      latest += 1;
      await enqueue(async () => {
        await del(KEY);
        await pruneParts();
      });
    },
  };
}

/**
 * Keeps the signed-in user's todos in IndexedDB. `start(user)` restores what was saved, if it
 * is that user's (once per page load), and saves every change from then on, replacing whatever
 * another account left; `stop()` stops saving (the session ended: what is saved stays for that
 * user's next sign-in, writes waiting included); `clear()` also deletes it (sign-out).
 */
export function createOfflineCache(queryClient: QueryClient) {
  const saved = get<Saved>(KEY)
    .then((entry) => (entry?.version === 1 || entry?.version === 2 ? entry : undefined))
    .catch(() => undefined);
  const saves = createSaves(queryClient);
  let owner: SessionUser | null = null;
  /** Whose todos IndexedDB holds now: the saved entry's user, then whoever was saved since. */
  let kept: Promise<SessionUser | undefined> = saved.then((entry) => entry?.user);
  let restored = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let unsubscribe: (() => void) | undefined;

  const save = (sliced = true) => {
    clearTimeout(timer);
    timer = undefined;
    if (!owner) return;
    kept = Promise.resolve(owner);
    saves.save(owner, sliced);
  };
  const schedule = () => {
    if (owner && !timer) timer = setTimeout(save, SAVE_MS);
  };
  // A reload or a closed tab right after a change, or during a save: save it now, at once,
  // rather than in SAVE_MS or a part at a time (the page's tasks stop when it goes).
  const onPageHide = () => {
    if (timer || saves.busy()) save(false);
  };

  const stop = () => {
    owner = null;
    clearTimeout(timer);
    timer = undefined;
    unsubscribe?.();
    unsubscribe = undefined;
  };

  return {
    /** Who the saved todos belong to: the user to show them to while the server cannot be asked. */
    savedUser(): Promise<SessionUser | undefined> {
      return kept;
    },
    async start(user: SessionUser) {
      if (owner?.id === user.id) return;
      stop();
      const entry = await saved;
      if (!restored) {
        restored = true;
        if (entry?.user.id === user.id) await restore(queryClient, entry, saves.known);
      }
      owner = { id: user.id, name: user.name, email: user.email };
      const queries = queryClient.getQueryCache().subscribe((event) => {
        if (isPersisted(event.query)) schedule();
      });
      const mutations = queryClient.getMutationCache().subscribe(schedule);
      window.addEventListener('pagehide', onPageHide);
      unsubscribe = () => {
        queries();
        mutations();
        window.removeEventListener('pagehide', onPageHide);
      };
      save();
    },
    stop,
    async clear() {
      stop();
      kept = Promise.resolve(undefined);
      await saves.clear();
    },
  };
}
