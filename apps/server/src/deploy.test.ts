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
  ServerExitedError,
  type ServerProcess,
  signUp,
  spawnServer,
  TEST_SECRET,
  trpc,
} from './testing.ts';
import { nextMailFile } from './testing-mail.ts';

/** Every file under `dir` whose name matches, as paths relative to it. */
function filesUnder(dir: string, name: RegExp): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((path) => name.test(path));
}

describe('the deployed server (pnpm build, then pnpm deploy --prod)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'todo-deploy-'));
  let server: ServerProcess;
  let port: number;
  /** The deployed server as `pnpm start` runs it: no NODE_ENV, no MAIL_URL, the embedded database. */
  const start = () =>
    spawnServer({
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

  beforeAll(async () => {
    // turbo builds the web app first (the server's build copies it in), from its cache when unchanged.
    await pnpm(['exec', 'turbo', 'run', 'build', '--filter=@todo/server']);
    await pnpm(['--filter', '@todo/server', 'deploy', '--prod', dir]);
    port = await freePort();
    server = await start();
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

  it('without MAIL_URL, writes account mail to .data/mail beside it and logs the link', async () => {
    const user = await signUp(server.url);
    const reset = await fetch(`${server.url}/api/auth/request-password-reset`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.url },
      body: JSON.stringify({ email: user.email, redirectTo: `${server.url}/reset-password` }),
    });
    expect(reset.status).toBe(200);
    // A deployed folder has no repository around it: .data/ is in the folder it runs from.
    const mail = await nextMailFile(join(dir, '.data/mail'), user.email);
    expect(new URL(mail.link).pathname).toBe('/reset-password');
    await expect.poll(() => server.stdout.filter((line) => line.includes(mail.link))).toHaveLength(1);
  });

  it('a second start on the same port says so in one sentence, with no stack, and exits 1', async () => {
    const second = await start().then(
      () => expect.fail('a second server started on the same port'),
      (error: unknown) => error,
    );
    if (!(second instanceof ServerExitedError)) throw second;
    expect(second.code).toBe(1);
    expect(second.stderr.filter(Boolean)).toEqual([
      `Port ${port} is in use: stop the other server, or set PORT to another port (PORT=${port + 1}).`,
    ]);
    expect([...second.stdout, ...second.stderr].join('\n')).not.toMatch(/^\s+at /m);
    // The first one is unaffected.
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  });
});
