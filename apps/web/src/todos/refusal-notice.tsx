import { useEffect, useState } from 'react';
import { IconButton } from '../ui/icon-button.tsx';

const NOTICE_MS = 10_000;

/** The latest sentence about a refused or dropped write, shown for ten seconds. */
export function useRefusal() {
  const [refusal, setRefusal] = useState<string | null>(null);
  useEffect(() => {
    if (!refusal) return;
    const timer = setTimeout(() => setRefusal(null), NOTICE_MS);
    return () => clearTimeout(timer);
  }, [refusal]);
  return { refusal, show: setRefusal, dismiss: () => setRefusal(null) };
}

/** A refusal, floating over the list until it is dismissed or times out. */
export function RefusalNotice({ refusal, onDismiss }: { refusal: string | null; onDismiss: () => void }) {
  if (!refusal) return null;
  return (
    <div className="notice notice-error notice-floating" role="alert">
      <p>{refusal}</p>
      <IconButton
        className="notice-dismiss"
        aria-label="Dismiss message"
        icon="M6 6l12 12M18 6L6 18"
        onClick={onDismiss}
      />
    </div>
  );
}
