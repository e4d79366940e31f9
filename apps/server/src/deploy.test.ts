// `pnpm deploy --prod` gives a folder that runs with `node` alone: the compiled server, its
// production dependencies, the migrations and the web build, and no TypeScript anywhere.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  freePort,
  pnpm,
  type ServerProcess,
  signUp,
  spawnServer,
  TEST_SECRET,
  trpc,
} from './testing.ts';

/** Every file under `dir` whose name matches, as paths relative to it. */
function filesUnder(dir: string, name: RegExp): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((path) => name.test(path));
}

describe('the deployed server (pnpm build, then pnpm deploy --prod)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'todo-deploy-'));
  let server: ServerProcess;

  beforeAll(async () => {
    // turbo builds the web app first (the server's build copies it in), from its cache when unchanged.
    await pnpm(['exec', 'turbo', 'run', 'build', '--filter=@todo/server']);
    await pnpm(['--filter', '@todo/server', 'deploy', '--prod', dir]);
    const port = await freePort();
    server = await spawnServer({
      command: { args: ['--max-semi-space-size=64', 'dist/start.js'], cwd: dir },
      // No NODE_ENV: dist/start.js defaults it to production, as `pnpm start` does.
      env: {
        PORT: String(port),
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        PGLITE_DIR: 'memory',
        BETTER_AUTH_SECRET: TEST_SECRET,
      },
      startTimeoutMs: 120_000,
    });
  }, 600_000);

  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('holds compiled JavaScript, the migrations and the web build, and no TypeScript compiler', () => {
    expect(existsSync(join(dir, 'dist/start.js'))).toBe(true);
    expect(filesUnder(join(dir, 'dist'), /\.ts$/)).toEqual([]);
    expect(filesUnder(join(dir, 'dist/migrations'), /^\d{4}_.*\.sql$/).length).toBeGreaterThan(0);
    expect(existsSync(join(dir, 'dist/web/index.html'))).toBe(true);
    for (const compiler of ['tsx', 'typescript', 'esbuild']) {
      expect(existsSync(join(dir, 'node_modules', compiler)), compiler).toBe(false);
    }
  });

  it('starts in production on plain node and is ready', async () => {
    expect(server.stdout.find((line) => line.startsWith('todo server on'))).toMatch(/production\)$/);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  });

  it('serves the web build it carries', async () => {
    const response = await fetch(`${server.url}/some/client/route`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<div id="root">');
  });

  it('signs up and creates a todo over HTTP', async () => {
    const session = await signUp(server.url);
    const created = await trpc(server.url, 'todo.create', {
      mutation: true,
      input: { title: 'deployed' },
      headers: bearer(session.token),
    });
    expect(created.status).toBe(200);
    const listed = await trpc(server.url, 'todo.list', { headers: bearer(session.token) });
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.body)).toContain('"title":"deployed"');
  });
});
