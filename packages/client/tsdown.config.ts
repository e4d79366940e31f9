// The installable package (`pnpm pack`, which runs this through `prepack`): dist/index.mjs and
// one dist/index.d.mts that carries AppRouter and every type it names but tRPC's, and the
// `quick-add` subpath (dist/quick-add.mjs, .d.mts), which imports chrono-node. Inside the
// workspace nobody needs the build: package.json's `exports` point at src/, and
// `publishConfig.exports` swaps in dist/ when packed.
import { createRequire } from 'node:module';
import { defineConfig } from 'tsdown';

// The repository's TypeScript is 7.0, the native compiler with no JS API, which
// rolldown-plugin-dts needs unless it is given a tsgo binary: TypeScript 7's own `tsc` is one.
const tsc = createRequire(import.meta.url)
  .resolve('typescript/package.json')
  .replace(/package\.json$/, 'bin/tsc');

export default defineConfig({
  entry: { index: 'src/index.ts', 'quick-add': 'src/quick-add.ts' },
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // AppRouter's types come from @todo/api and @todo/db, and name Kysely's types (the server's
  // context): all three are compiled into the .d.mts, so an installed client needs no kysely
  // (which also asks for a newer Node than the client does). kysely is types only here, so the
  // JavaScript never imports it. Everything else stays an import: the @trpc peers, eventsource and chrono-node.
  // onlyBundle fails the build if anything else from node_modules ever gets compiled in.
  deps: {
    neverBundle: [/^(?!@todo\/|kysely(\/|$))[^./]/],
    onlyBundle: ['kysely'],
  },
  // The plugin runs tsc with --rootDir set to the tsconfig's folder, and the declarations it needs
  // live in sibling packages: the base tsconfig at the repository root is the common root.
  tsconfig: '../../tsconfig.base.json',
  dts: { tsgo: { path: tsc } },
});
