// `pnpm build`: the server as plain JavaScript for `node`, so that production runs no TypeScript
// compiler (tsx) at all. esbuild compiles src/start.ts and the workspace packages it imports
// (@todo/api, @todo/db) into dist/; every third-party package stays an import that node resolves
// from node_modules, and must therefore be one of this package's `dependencies` (checked below,
// so that `pnpm deploy --prod` can never ship a bundle that imports something it left behind).
//
// Beside the code, dist/ gets what the server reads from disk at run time: migrations/ (the SQL
// files, found by @todo/db's MIGRATIONS_DIR) and web/ (the built web app, found by start.ts).
// The web app is built first (turbo.json: @todo/server#build depends on @todo/web#build).

import { existsSync } from 'node:fs';
import { cp, readFile, rm } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const DIST = here('./dist/');
const manifest = JSON.parse(await readFile(here('./package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
};
const dependencies = new Set(Object.keys(manifest.dependencies));

/** `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
const packageName = (specifier: string) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

/** Workspace packages are compiled in; any other bare import is left to node_modules, if declared. */
const thirdPartyExternal: Plugin = {
  name: 'third-party-external',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('@todo/')) return undefined;
      if (isBuiltin(args.path)) return { path: args.path, external: true };
      const name = packageName(args.path);
      if (!dependencies.has(name)) {
        return {
          errors: [
            {
              text: `${name} (imported by ${args.importer}) is not in apps/server/package.json dependencies: the built server could not find it after \`pnpm deploy --prod\``,
            },
          ],
        };
      }
      return { path: args.path, external: true };
    });
  },
};

await rm(DIST, { recursive: true, force: true });
await build({
  entryPoints: [here('./src/start.ts')],
  outdir: DIST,
  bundle: true,
  // start.ts sets NODE_ENV before it imports server.ts and @todo/db; with splitting those
  // dynamic imports stay dynamic, so the libraries they pull in load after the assignment, as
  // under tsx.
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outExtension: { '.js': '.js' },
  sourcemap: 'linked',
  plugins: [thirdPartyExternal],
  logLevel: 'warning',
});

await cp(here('../../migrations/'), `${DIST}migrations/`, { recursive: true });
const webDist = here('../web/dist/');
if (existsSync(webDist)) {
  await cp(webDist, `${DIST}web/`, { recursive: true });
} else {
  console.warn('apps/web/dist is missing: the built server has no web app to serve (build @todo/web first)');
}
console.log('built apps/server/dist');
