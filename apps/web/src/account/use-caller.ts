import { useCallback, useState } from 'react';
import type { Result } from './account-api.ts';
import type { Outcome } from './card.tsx';

/** Runs a call, turning a 401 into `onSessionEnded` and anything else into an outcome. */
export function useCaller(onSessionEnded: () => void) {
  return useCallback(
    async <T>(result: Promise<Result<T>>, setOutcome: (outcome: Outcome) => void, okText?: string) => {
      const settled = await result;
      if (!settled.ok) {
        if (settled.unauthorized) onSessionEnded();
        setOutcome({ kind: 'error', text: settled.message });
        return null;
      }
      if (okText) setOutcome({ kind: 'ok', text: okText });
      return settled;
    },
    [onSessionEnded],
  );
}

/** A section form's state: its outcome line, whether it is being sent, and `call` (useCaller). */
export function useCardForm(onSessionEnded: () => void) {
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [busy, setBusy] = useState(false);
  const call = useCaller(onSessionEnded);
  return { outcome, setOutcome, busy, setBusy, call };
}
