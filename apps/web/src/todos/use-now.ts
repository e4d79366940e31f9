import { useEffect, useState } from 'react';

const CLOCK_MS = 30_000;

/** The current time, renewed every half minute: "Today" and overdue follow the clock. */
export function useNow(): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), CLOCK_MS);
    return () => clearInterval(timer);
  }, []);
  return now;
}
