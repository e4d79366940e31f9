import { useEffect, useState } from 'react';
import { usePath } from '../routing/path.ts';

/** The phone-width menu's state: open or not; it closes on a new page and on Escape. */
export function useListMenu() {
  const [open, setOpen] = useState(false);
  const path = usePath();
  useEffect(() => setOpen(false), [path]);
  useEffect(() => {
    if (!open) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') setOpen(false);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open]);
  return { open, toggle: () => setOpen((was) => !was) };
}

/** The button that opens the list switcher at phone width (hidden where it is a sidebar). */
export function ListMenuButton({
  open,
  controls,
  onToggle,
}: {
  open: boolean;
  /** The switcher's id. */
  controls: string;
  onToggle: () => void;
}) {
  return (
    <button
      type="button"
      className="button button-quiet list-menu-button"
      aria-expanded={open}
      aria-controls={controls}
      onClick={onToggle}
    >
      Lists
    </button>
  );
}
