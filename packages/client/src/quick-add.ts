// `@todo/client/quick-add`: dates and priorities as people type them, for the web app's new-todo
// input and the CLI. A subpath of its own: chrono-node (about 15 kB gzipped in a browser) comes only with it,
// so a program that only calls the API never loads it.
export { type Reading, type Readings, readDate, readingsOf } from './quick-add/dates.ts';
export {
  type DuePart,
  type PriorityPart,
  parseQuickAdd,
  type QuickAdd,
  type QuickAddOptions,
  type QuickAddPart,
  type QuickPriority,
  type Span,
} from './quick-add/title.ts';
