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
  const metafile = result.metafile as Metafile;
  // `inputs`: every file esbuild read; `kept`: those with code left after tree-shaking.
  const kept = Object.values(metafile.outputs).flatMap((file) =>
    Object.entries(file.inputs)
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([path]) => path),
  );
  return { output, inputs: Object.keys(metafile.inputs), kept };
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

  // 6.9 kB before subscriptions; tRPC's event-stream consumer and the `eventsource` package
  // (with its parser) added about 6.5 kB, to 13.3 kB (2026-12-01).
  it('stays small: under 14 kB gzipped', async () => {
    const { output } = await bundleForBrowser('./index.ts');
    const gzipped = gzipSync(output).length;
    expect(gzipped).toBeLessThan(14 * 1024);
  });

  it('leaves the event source out of a page that only queries and mutates', async () => {
    const { kept } = await bundleForBrowser('./bundle-probe/queries-only.ts');
    expect(kept.some((input) => input.includes('@trpc/client'))).toBe(true);
    expect(kept.filter((input) => /eventsource/.test(input))).toEqual([]);
    const whole = await bundleForBrowser('./index.ts');
    expect(whole.kept.filter((input) => /eventsource/.test(input))).toHaveLength(2);
  });

  it('would notice server code: the API package itself does not pass', async () => {
    const attempt = await bundleForBrowser('../../api/src/index.ts').then(
      ({ inputs }) => inputs.filter((input) => SERVER_CODE.some((pattern) => pattern.test(input))),
      (error: Error) => [error.message],
    );
    expect(attempt.length).toBeGreaterThan(0);
  });
});

describe('@todo/client/quick-add in a browser bundle', () => {
  // chrono-node's English rules and the parser: 15.3 kB gzipped (2026-12-07). Every language
  // chrono knows would be about 52 kB.
  it('brings chrono’s English rules only, no Node built-ins, under 18 kB gzipped', async () => {
    const { output, kept } = await bundleForBrowser('./quick-add.ts');
    expect(kept.some((input) => input.includes('chrono-node'))).toBe(true);
    expect(kept.filter((input) => /chrono-node\/dist\/esm\/locales\/(?!en\/)/.test(input))).toEqual([]);
    expect(output).not.toMatch(/["']node:[a-z_/]+["']/);
    expect(gzipSync(output).length).toBeLessThan(18 * 1024);
  });

  it('stays out of the client itself', async () => {
    const { inputs } = await bundleForBrowser('./index.ts');
    expect(inputs.filter((input) => /chrono-node|quick-add/.test(input))).toEqual([]);
  });
});
