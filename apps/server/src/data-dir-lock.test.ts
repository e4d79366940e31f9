// One server per embedded database folder, with real processes: the production server
// (src/start.ts) and `pnpm db:migrate` (packages/db src/cli/migrate.ts) on one PGLITE_DIR.
import { execFile } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import {
  bearer,
  ServerExitedError,
  type ServerProcess,
  signUp,
  spawnServer,
  TEST_SECRET,
  trpc,
} from './testing.ts';

const DB_PACKAGE = fileURLToPath(new URL('../../../packages/db/', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'todo-server-lock-'));
const dir = join(root, 'pglite');
const env = {
  NODE_ENV: 'production',
  PGLITE_DIR: dir,
  BETTER_AUTH_SECRET: TEST_SECRET,
  LOG_REQUESTS: 'false',
};
const running: ServerProcess[] = [];

async function refusal(promise: Promise<unknown>): Promise<ServerExitedError> {
  const error = await promise.then(
    () => expect.fail('a second server started on the same folder'),
    (reason: unknown) => reason,
  );
  if (!(error instanceof ServerExitedError)) throw error;
  return error;
}

afterAll(async () => {
  for (const server of running) await server.stop('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

describe('one server per embedded database (PGLITE_DIR)', () => {
  it('a second server and `pnpm db:migrate` are refused while one runs; after kill -9 the next one starts, with its data', async () => {
    const first = await spawnServer({ env });
    running.push(first);
    const session = await signUp(first.url);
    const created = await trpc(first.url, 'todo.create', {
      mutation: true,
      input: { title: 'acknowledged before the crash' },
      headers: bearer(session.token),
    });
    expect(created.status).toBe(200);

    const sentence = `The embedded database ${realpathSync(dir)} is in use by another process (pid ${first.process.pid}); stop it first, or set PGLITE_DIR to another folder.`;
    const second = await refusal(spawnServer({ env }));
    expect(second.code).toBe(1);
    expect(second.stderr.filter(Boolean)).toEqual([sentence]);

    const migrate = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/migrate.ts'], {
      cwd: DB_PACKAGE,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, PGLITE_DIR: dir },
    }).then(
      () => expect.fail('db:migrate ran on a folder a server holds'),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(migrate.code).toBe(1);
    expect(migrate.stderr.trim()).toBe(sentence);
    expect(migrate.stdout).toBe('');

    // The first server is unaffected by both attempts.
    expect((await trpc(first.url, 'todo.list', { headers: bearer(session.token) })).status).toBe(200);

    expect(await first.stop('SIGKILL')).toBeNull();
    const next = await spawnServer({ env });
    running.push(next);
    const list = await trpc(next.url, 'todo.list', { headers: bearer(session.token) });
    expect(list.status).toBe(200);
    const titles = (list.body as { result: { data: { items: { title: string }[] } } }).result.data.items.map(
      (todo) => todo.title,
    );
    expect(titles).toEqual(['acknowledged before the crash']);
    expect(await next.stop()).toBe(0);
  }, 180_000);
});
