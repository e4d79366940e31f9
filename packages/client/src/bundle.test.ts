import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';

const SERVER_CODE = [
  /better-auth/,
  /\bkysely\b/,
  /node_modules\/(\.pnpm\/)?pg[@/]/,
  /pglite/,
  /@neondatabase/,
  /\bws@/,
  /packages\/db\//,
  /packages\/api\//,
  /\/zod[@/]/,
  // @trpc/client shares tRPC's isomorphic core (observables, error shapes) with @trpc/server;
  // the server's HTTP adapters must never come along.
  /@trpc\/server\/dist\/adapters/,
];

/** Bundles an entry point for the browser the way a web build would, minified, in memory. */
async function bundleForBrowser(entry: string) {
  const result = await build({
    entryPoints: [new URL(entry, import.meta.url).pathname],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    minify: true,
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const output = result.outputFiles[0]?.text ?? '';
  return { output, inputs: Object.keys((result.metafile as Metafile).inputs) };
}

describe('@todo/client in a browser bundle', () => {
  it('bundles for the browser without any server code or Node built-ins', async () => {
    const { output, inputs } = await bundleForBrowser('./index.ts');
    expect(inputs.some((input) => input.includes('@trpc/client'))).toBe(true);
    for (const pattern of SERVER_CODE) {
      expect(
        inputs.filter((input) => pattern.test(input)),
        String(pattern),
      ).toEqual([]);
    }
    expect(output).not.toMatch(/["']node:[a-z_/]+["']/);
    expect(output).not.toMatch(/\brequire\(/);
  });

  it('stays small: under 12 kB gzipped', async () => {
    const { output } = await bundleForBrowser('./index.ts');
    const gzipped = gzipSync(output).length;
    expect(gzipped).toBeLessThan(12 * 1024);
  });

  it('would notice server code: the API package itself does not pass', async () => {
    const attempt = await bundleForBrowser('../../api/src/index.ts').then(
      ({ inputs }) => inputs.filter((input) => SERVER_CODE.some((pattern) => pattern.test(input))),
      (error: Error) => [error.message],
    );
    expect(attempt.length).toBeGreaterThan(0);
  });
});
