import { useEffect, useState } from 'react';
import './load-more.css';

/** Fetches the next page whenever the returned element comes near the viewport. */
function useLoadMore(canLoad: boolean, loadMore: () => unknown) {
  const [element, setElement] = useState<HTMLElement | null>(null);
  const [near, setNear] = useState(false);
  useEffect(() => {
    if (!element) return;
    const observer = new IntersectionObserver(([entry]) => setNear(entry?.isIntersecting ?? false), {
      rootMargin: '400px 0px',
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [element]);
  useEffect(() => {
    if (near && canLoad) loadMore();
  }, [near, canLoad, loadMore]);
  return setElement;
}

/** The list's next page: fetched as the button nears the viewport, or when it is pressed. */
export function LoadMore({
  pages,
}: {
  pages: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => unknown };
}) {
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = pages;
  const loadMore = useLoadMore(hasNextPage && !isFetchingNextPage, fetchNextPage);
  if (!hasNextPage) return null;
  return (
    <button
      ref={loadMore}
      type="button"
      className="load-more"
      disabled={isFetchingNextPage}
      onClick={() => void fetchNextPage()}
    >
      {isFetchingNextPage ? 'Loading more…' : 'Show more todos'}
    </button>
  );
}
