import type { ComponentProps } from 'react';

/**
 * A button that shows one stroked icon (a path in a 24 × 24 box); name it with `aria-label`.
 *
 * @example
 * <IconButton className="destroy" aria-label="Delete “Milk”" icon="M6 6l12 12M18 6L6 18" onClick={remove} />
 */
export function IconButton({ icon, ...props }: ComponentProps<'button'> & { icon: string }) {
  return (
    <button type="button" {...props}>
      <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
        <path d={icon} />
      </svg>
    </button>
  );
}
