// `pnpm build`: the `todo` command as one JavaScript file, dist/todo.js, with every package it
// uses compiled in (@todo/client, tRPC's client, the prompts, the date parser). bin/todo.js runs
// it when it exists: it starts in about a third of the time the TypeScript sources take through
// tsx, and needs nothing from node_modules. It reads its version from ../package.json, which is
// where dist/ sits as src/ does. The CLI's tests build it first (vitest.config.ts), so they
// never run an old build.

import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export async function buildCli() {
  await rm(here('./dist/'), { recursive: true, force: true });
  await build({
    entryPoints: [here('./src/main.ts')],
    outfile: here('./dist/todo.js'),
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // A CommonJS dependency's require() of a Node built-in needs a require in an ES module.
    banner: {
      js: "import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildCli();
