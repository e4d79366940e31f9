import { createContext, useContext } from 'react';

/**
 * Whether the list on screen is one the caller only views (a viewer's shared list): its rows
 * then offer no write (no new todo, toggle, edit, delete, reorder or details to save), since the
 * server would refuse each one.
 */
export const ReadOnlyList = createContext(false);

/** True inside a list the caller only views. */
export const useReadOnly = () => useContext(ReadOnlyList);
