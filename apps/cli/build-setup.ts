// vitest globalSetup: builds dist/todo.js once before the CLI's tests run it through bin/todo.js.
import { buildCli } from './build.ts';

export default async function setup() {
  await buildCli();
}
