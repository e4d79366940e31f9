#!/usr/bin/env node
// The `todo` command. It runs the compiled file, dist/todo.js (build.ts), which starts in about
// a third of the time, unless a source is newer than it: then, as on a fresh clone before any
// build, it runs the TypeScript sources through tsx's loader, so `pnpm todo` is always the code
// you have.
import { existsSync, readdirSync, statSync } from 'node:fs';

const built = new URL('../dist/todo.js', import.meta.url);
const sources = new URL('../src/', import.meta.url);
// @todo/client (the API client and the quick-add parser) is compiled in as well.
const clientSources = new URL('../../../packages/client/src/', import.meta.url);

/** Whether the build is at least as new as every source file, tests aside (a packed install
 * has no src/). */
function upToDate() {
  if (!existsSync(built)) return false;
  if (!existsSync(sources)) return true;
  const builtAt = statSync(built).mtimeMs;
  return [sources, clientSources]
    .filter((folder) => existsSync(folder))
    .flatMap((folder) => readdirSync(folder, { recursive: true, withFileTypes: true }))
    .every(
      (entry) =>
        !entry.isFile() ||
        entry.name.endsWith('.test.ts') ||
        statSync(`${entry.parentPath}/${entry.name}`).mtimeMs <= builtAt,
    );
}

if (upToDate()) {
  await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/main.ts');
}
