/**
 * A chunk of the app's own code, fetched once and kept: `load()` fetches it (again only after a
 * failure, so that the next try can succeed), `loaded()` is the module once it has arrived.
 *
 * @example
 * const quickAdd = chunk(() => import('./quick-add.tsx'));
 * quickAdd.load().then(({ parseQuickAdd }) => …);
 */
export function chunk<T>(fetch: () => Promise<T>) {
  let module: T | undefined;
  let loading: Promise<T> | undefined;
  return {
    loaded: () => module,
    load(): Promise<T> {
      loading ??= fetch().then(
        (arrived) => {
          module = arrived;
          return arrived;
        },
        (error: unknown) => {
          loading = undefined;
          throw error;
        },
      );
      return loading;
    },
  };
}
