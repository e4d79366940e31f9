#!/usr/bin/env node
// The `todo` command. After `pnpm build` it runs the compiled file, dist/todo.js (build.ts),
// which starts in about a third of the time; on a fresh clone, before any build, it runs the
// TypeScript sources through tsx's loader.
import { existsSync } from 'node:fs';

const built = new URL('../dist/todo.js', import.meta.url);
if (existsSync(built)) {
  await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/main.ts');
}
