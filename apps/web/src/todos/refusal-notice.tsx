import { useCallback, useEffect, useState } from 'react';
import { IconButton } from '../ui/icon-button.tsx';

const NOTICE_MS = 10_000;
const MAX_SHOWN = 3;

/** The latest sentences about refused or dropped writes and lost lists, the last few at once (a
 * write dropped and its list leaving the screen come together), shown for ten seconds. */
export function useRefusal() {
  const [refusals, setRefusals] = useState<string[]>([]);
  useEffect(() => {
    if (refusals.length === 0) return;
    const timer = setTimeout(() => setRefusals([]), NOTICE_MS);
    return () => clearTimeout(timer);
  }, [refusals]);
  const show = useCallback(
    (message: string) =>
      setRefusals((shown) => (shown.includes(message) ? shown : [...shown, message].slice(-MAX_SHOWN))),
    [],
  );
  return { refusal: refusals.length > 0 ? refusals : null, show, dismiss: () => setRefusals([]) };
}

/** A refusal, floating over the list until it is dismissed or times out. */
export function RefusalNotice({ refusal, onDismiss }: { refusal: string[] | null; onDismiss: () => void }) {
  if (!refusal) return null;
  return (
    <div className="notice notice-error notice-floating" role="alert">
      {refusal.map((message) => (
        <p key={message}>{message}</p>
      ))}
      <IconButton
        className="notice-dismiss"
        aria-label="Dismiss message"
        icon="M6 6l12 12M18 6L6 18"
        onClick={onDismiss}
      />
    </div>
  );
}
