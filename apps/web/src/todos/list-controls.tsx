import { useEffect, useId, useRef, useState } from 'react';
import { SORTS, type Sort, setSearch, setSort, useSearch } from './use-filter.ts';
import './list-controls.css';

const SEARCH_DEBOUNCE_MS = 250;

/** The search box's text, written to the address (and so to the query) once typing pauses. */
export function useSearchBox() {
  const search = useSearch();
  const [text, setText] = useState(search);
  const inputRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (text === search) return;
    const timer = setTimeout(() => setSearch(text), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text, search]);
  /** Empties the search at once; focus goes to the box, as the button that asked is gone. */
  const clear = () => {
    setText('');
    setSearch('');
    inputRef.current?.focus();
  };
  return { text, setText, search: search.trim(), clear, inputRef };
}

export type SearchBox = ReturnType<typeof useSearchBox>;

/** Search and sort, above the list. */
export function ListControls({ searchBox, sort }: { searchBox: SearchBox; sort: Sort }) {
  const id = useId();
  return (
    <div className="list-controls">
      <search className="search">
        <label htmlFor={`${id}-search`} className="visually-hidden">
          Search
        </label>
        <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
          <path d="M10.5 4a6.5 6.5 0 1 0 0 13 6.5 6.5 0 0 0 0-13z M15.5 15.5L20 20" />
        </svg>
        <input
          ref={searchBox.inputRef}
          id={`${id}-search`}
          type="search"
          placeholder="Search"
          autoComplete="off"
          maxLength={200}
          value={searchBox.text}
          onChange={(event) => searchBox.setText(event.target.value)}
        />
      </search>
      <div className="sort">
        <label htmlFor={`${id}-sort`}>Sort</label>
        <select id={`${id}-sort`} value={sort} onChange={(event) => setSort(event.target.value as Sort)}>
          {SORTS.map((option) => (
            <option key={option.sort} value={option.sort}>
              {option.label}
            </option>
          ))}
        </select>
      </div>
    </div>
  );
}
