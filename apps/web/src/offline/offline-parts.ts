// How the offline cache (offline-cache.ts) lays out what it keeps in IndexedDB, so that neither
// a save nor a restore holds the main thread for long: IndexedDB copies a value on the main
// thread as it is written and as it is read, so one entry holding every list (1,000 todos)
// blocked for as long as the copy took.
// - `todos-offline`, the manifest: who the todos are for, the writes waiting, and each query as
//   dehydrated, but in place of its data the key of the part that holds it (a list: one a page).
// - `todos-offline/t<time>.<tab>.<n>`, the parts: one page of a list (at most 50 todos), or the
//   counts. A part is never rewritten: a page that changed goes in a new part, and the manifest
//   that names it is written after it, so a save cut short leaves the last manifest whole. Parts
//   the manifest does not name are then deleted, once they are a minute old: younger ones may be
//   another tab's, written for a manifest it has not written yet.
// A save writes only the pages that changed since the last one (TanStack Query keeps an
// unchanged page the same object through a refetch), a part at a time with a yield in between.
import type { DehydratedState } from '@tanstack/react-query';
import { delMany, getMany, keys, set, setMany } from 'idb-keyval';
import type { SessionUser } from '../session/auth-api.ts';

export const KEY = 'todos-offline';
const PART = 'todos-offline/';
/** How long a part no manifest names is kept: another tab's save may be about to name it. */
const UNNAMED_MS = 60_000;
/** When a part was made (base 36 milliseconds, in its key); 0 for a part of an older layout. */
const madeAt = (key: string) => {
  const time = /^todos-offline\/t([0-9a-z]+)\./.exec(key)?.[1];
  return time ? Number.parseInt(time, 36) : 0;
};

type Dehydrated = DehydratedState['queries'][number];
type State = Dehydrated['state'];
/** A list's data as TanStack Query caches it (an infinite query). */
type Pages = { pages: unknown[]; pageParams: unknown[] };
/** Where a query's data is: one part, or a list's pages, a part each. */
type DataParts = { part: string } | { pageParams: unknown[]; pages: string[] };
export type KeptQuery = Omit<Dehydrated, 'state'> & { state: Omit<State, 'data'>; parts: DataParts };

export type Manifest = {
  version: 2;
  user: SessionUser;
  queries: KeptQuery[];
  mutations: DehydratedState['mutations'];
};

const isPages = (data: unknown): data is Pages =>
  typeof data === 'object' &&
  data !== null &&
  Array.isArray((data as Pages).pages) &&
  Array.isArray((data as Pages).pageParams);
const isObject = (value: unknown): value is object => typeof value === 'object' && value !== null;

/** Lets the browser run what waits (input, a frame) between two pieces of the cache's work. */
export const yieldToMain = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** Every part a manifest names. */
const partsOf = (manifest: Manifest) =>
  manifest.queries.flatMap(({ parts }) => ('part' in parts ? [parts.part] : parts.pages));

/**
 * Writes manifests and their parts, and remembers which part holds each value it wrote or
 * read (by identity): a value still in the query cache is not written again.
 */
export function createPartsWriter() {
  const written = new WeakMap<object, string>();
  // Unique to this page load, so that two tabs never write the same part.
  const tab = Math.random().toString(36).slice(2, 8);
  let count = 0;

  /** The part holding `value`: known, or a new one (`pending` collects what to write). */
  const partFor = (value: unknown, pending: [string, unknown][]): string => {
    const known = isObject(value) ? written.get(value) : undefined;
    if (known) return known;
    const key = `${PART}t${Date.now().toString(36)}.${tab}.${count++}`;
    pending.push([key, value]);
    return key;
  };

  /** The manifest for `state`, and the parts it names that are not written yet. */
  const plan = (user: SessionUser, state: DehydratedState) => {
    const pending: [string, unknown][] = [];
    const queries = state.queries.map(({ state: { data, ...rest }, ...query }): KeptQuery => {
      const parts: DataParts = isPages(data)
        ? { pageParams: data.pageParams, pages: data.pages.map((page) => partFor(page, pending)) }
        : { part: partFor(data, pending) };
      return { ...query, state: rest, parts };
    });
    const manifest: Manifest = { version: 2, user, queries, mutations: state.mutations };
    return { manifest, pending };
  };

  const remember = ([key, value]: [string, unknown]) => {
    if (isObject(value)) written.set(value, key);
  };

  return {
    /** `value` was read from `key` (a restore): it is in IndexedDB already. */
    known(value: unknown, key: string) {
      remember([key, value]);
    },
    /**
     * Writes what changed of `state`, then its manifest. Sliced (the default): a part at a time,
     * yielding in between, and given up when `cancelled()` says a newer save took over. Not
     * sliced (the page is going away): all in one transaction, at once. Returns the manifest
     * written, none when given up.
     */
    async write(
      user: SessionUser,
      state: DehydratedState,
      { sliced = true, cancelled = () => false }: { sliced?: boolean; cancelled?: () => boolean } = {},
    ): Promise<Manifest | undefined> {
      const { manifest, pending } = plan(user, state);
      if (!sliced) {
        await setMany([...pending, [KEY, manifest]]);
        for (const entry of pending) remember(entry);
        return manifest;
      }
      for (const entry of pending) {
        await set(entry[0], entry[1]);
        // A part written by a save given up is named by no manifest: the next prune deletes it.
        if (cancelled()) return undefined;
        remember(entry);
        await yieldToMain();
      }
      if (cancelled()) return undefined;
      await set(KEY, manifest);
      return manifest;
    },
  };
}

/**
 * Deletes the parts `manifest` does not name that are over a minute old (another tab may be
 * about to name a younger one); without a manifest (sign-out), every part, however young.
 */
export async function pruneParts(manifest?: Manifest) {
  const named = new Set(manifest ? partsOf(manifest) : []);
  const before = manifest ? Date.now() - UNNAMED_MS : Number.POSITIVE_INFINITY;
  const unnamed = (await keys()).filter(
    (key): key is string =>
      typeof key === 'string' && key.startsWith(PART) && !named.has(key) && madeAt(key) < before,
  );
  if (unnamed.length > 0) await delMany(unnamed);
}

/**
 * Reads one kept query back, its data put together from its parts (each read is a request of
 * its own, copied apart); undefined when a part is missing. `known` hears of each part read.
 */
export async function readQuery(
  query: KeptQuery,
  known: (value: unknown, key: string) => void,
): Promise<Dehydrated | undefined> {
  const { parts, ...rest } = query;
  const partKeys = 'part' in parts ? [parts.part] : parts.pages;
  const values = await getMany(partKeys);
  if (values.some((value) => value === undefined)) return undefined;
  for (const [index, value] of values.entries()) known(value, partKeys[index] ?? '');
  const data = 'part' in parts ? values[0] : { pageParams: parts.pageParams, pages: values };
  return { ...rest, state: { ...rest.state, data } as State };
}
