// @todo/client as another project gets it: packed (`pnpm pack`), installed with npm into a
// project outside the workspace, type-checked there by that project's own TypeScript, and run
// with node against a live server.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { defaultTestDriver } from '@todo/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pnpm, REPOSITORY_ROOT, startTestServer, type TestServer } from './testing.ts';

const run = promisify(execFile);

/** The version this repository uses, so the consumer type-checks with a known compiler. */
const versionOf = (name: string) =>
  (
    JSON.parse(readFileSync(createRequire(import.meta.url).resolve(`${name}/package.json`), 'utf8')) as {
      version: string;
    }
  ).version;

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    // DOM because tRPC's declarations name `RequestInfo`, which only the DOM library declares.
    lib: ['ES2023', 'DOM'],
    module: 'nodenext',
    moduleResolution: 'nodenext',
    strict: true,
    // Declarations are checked too, so the client's .d.mts must stand on its own: an import of a
    // package the consumer does not have would fail here instead of quietly becoming `any`.
    skipLibCheck: false,
    types: ['node'],
    outDir: 'out',
  },
  files: ['right.ts'],
};

// Signs up with a bearer, follows its changes over server-sent events, creates and lists a todo.
const RIGHT = `import { createTodoClient, signUp, type TodoChange } from '@todo/client';
import { parseQuickAdd } from '@todo/client/quick-add';

const url = process.argv[2];
if (!url) throw new Error('usage: node out/right.js <server url>');
const { token } = await signUp({ url, name: 'Other Service', email: 'other-service@example.com', password: 'a long enough password' });
if (!token) throw new Error('no session token');
const api = createTodoClient({ url, token });

let started = () => {};
const subscribed = new Promise<void>((resolve) => { started = resolve; });
const firstChange = new Promise<TodoChange>((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error('no change arrived in 30 s')), 30_000);
  const subscription = api.todo.changes.subscribe({}, {
    onStarted: () => started(),
    onData: ({ data }) => {
      clearTimeout(timer);
      subscription.unsubscribe();
      resolve(data);
    },
    onError: reject,
  });
});
await subscribed;
// Quick add's parser, on its own subpath: the title and priority it reads from typed words.
const quick = parseQuickAdd('from another project !high');
const created = await api.todo.create.mutate({ title: quick.title, priority: quick.priority?.priority });
const { items } = await api.todo.list.query({ filter: 'active' });
const change = await firstChange;
console.log(JSON.stringify({ created: created.title, listed: items.map((todo) => todo.title), change: change.type }));
`;

const WRONG = `import { createTodoClient } from '@todo/client';

const api = createTodoClient({ url: 'http://127.0.0.1:3000' });
await api.todo.creat.mutate({ title: 'a typo in the procedure name' });
await api.todo.create.mutate({ title: 'a priority the API does not have', priority: 'urgent' });
const { items } = await api.todo.list.query({ filter: 'active' });
const titles: number[] = items.map((todo) => todo.title);
`;

describe('@todo/client installed from its tarball into another project', () => {
  const project = mkdtempSync(join(tmpdir(), 'todo-client-consumer-'));
  let server: TestServer;
  let installWarnings = '';

  beforeAll(async () => {
    // prepack builds the package (tsdown), so the tarball always holds a fresh dist/.
    await pnpm(['pack', '--pack-destination', project], join(REPOSITORY_ROOT, 'packages/client'));
    const tarball = readdirSync(project).find((name) => name.endsWith('.tgz'));
    if (!tarball) throw new Error('pnpm pack wrote no tarball');
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
    );
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify(TSCONFIG));
    writeFileSync(
      join(project, 'tsconfig.wrong.json'),
      JSON.stringify({ extends: './tsconfig.json', files: ['wrong.ts'] }),
    );
    writeFileSync(join(project, 'right.ts'), RIGHT);
    writeFileSync(join(project, 'wrong.ts'), WRONG);
    // npm, not pnpm, and outside the workspace: the peers (@trpc/client, @trpc/server) come from
    // the registry as any consumer's would.
    const installed = await run(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        `./${tarball}`,
        `typescript@${versionOf('typescript')}`,
        `@types/node@${versionOf('@types/node')}`,
      ],
      { cwd: project },
    );
    installWarnings = installed.stderr;
    server = await startTestServer(defaultTestDriver);
  }, 600_000);

  afterAll(async () => {
    await server?.stop();
    rmSync(project, { recursive: true, force: true });
  });

  it('installs built JavaScript and bundled types, and no workspace package', () => {
    const installed = join(project, 'node_modules/@todo/client');
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(manifest.exports).toEqual({
      '.': { types: './dist/index.d.mts', import: './dist/index.mjs' },
      './quick-add': { types: './dist/quick-add.d.mts', import: './dist/quick-add.mjs' },
    });
    expect(Object.keys(manifest.peerDependencies as object).sort()).toEqual(['@trpc/client', '@trpc/server']);
    expect(readFileSync(join(installed, 'dist/index.d.mts'), 'utf8')).toMatch(/type AppRouter\b/);
    for (const file of ['dist/index.mjs', 'dist/index.d.mts', 'dist/quick-add.mjs', 'dist/quick-add.d.mts']) {
      expect(readFileSync(join(installed, file), 'utf8')).not.toMatch(/from ["']@todo\//);
    }
  });

  it('needs no kysely: its types are bundled, so Node 20.19 installs it without an engine warning', () => {
    const installed = join(project, 'node_modules/@todo/client');
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      engines: Record<string, string>;
    };
    // eventsource for subscriptions from Node; chrono-node for quick add (its subpath only).
    expect(Object.keys(manifest.dependencies)).toEqual(['chrono-node', 'eventsource']);
    expect(manifest.engines).toEqual({ node: '>=20.19' });
    expect(existsSync(join(project, 'node_modules/kysely'))).toBe(false);
    expect(installWarnings).not.toMatch(/EBADENGINE/);
    // Every import left in the declarations names a peer.
    const declarations = readFileSync(join(installed, 'dist/index.d.mts'), 'utf8');
    const imported = [...declarations.matchAll(/^import .* from "(@?[^/"]+(?:\/[^/"]+)?)[^"]*";$/gm)];
    expect(new Set(imported.map(([, name]) => name))).toEqual(new Set(['@trpc/client', '@trpc/server']));
    // Quick add's declarations name nothing from chrono-node: its types are the client's own.
    expect(readFileSync(join(installed, 'dist/quick-add.d.mts'), 'utf8')).not.toMatch(/^import /m);
  });

  it('type-checks a right consumer file', async () => {
    const { stdout } = await run('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: project });
    expect(stdout).toBe('');
  });

  it('fails the type check of a wrong procedure, input and output, naming each', async () => {
    const failure = await run('npx', ['tsc', '-p', 'tsconfig.wrong.json'], { cwd: project }).then(
      () => expect.fail('tsc accepted a wrong procedure name'),
      (error: { code: number; stdout: string }) => error,
    );
    expect(failure.code).not.toBe(0);
    expect(failure.stdout).toMatch(/wrong\.ts\(4,\d+\): error TS\d+: Property 'creat' does not exist/);
    expect(failure.stdout).toMatch(/wrong\.ts\(5,\d+\): error TS2322: Type '"urgent"' is not assignable/);
    expect(failure.stdout).toMatch(/wrong\.ts\(7,\d+\): error TS2322: Type 'string\[\]' is not assignable/);
    expect(failure.stdout.match(/error TS/g)).toHaveLength(3);
  });

  it('runs the right file with node against a live server', async () => {
    const { stdout } = await run(process.execPath, ['out/right.js', server.url], { cwd: project });
    expect(JSON.parse(stdout)).toEqual({
      created: 'from another project',
      listed: ['from another project'],
      change: 'upsert',
    });
  });
});
