// `todo` against a server whose PostgreSQL is away (behind a TCP proxy the test takes down):
// one plain sentence and exit 5, not "The server failed: Internal server error".
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDatabase, type DatabaseConfig } from '@todo/db';
import { createTestDatabase, type FaultProxy, startFaultProxy, type TestDatabase } from '@todo/db/testing';
import { loadConfig, type RunningServer, startServer } from '@todo/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/todo.js', import.meta.url));
const EMAIL = 'cli-away@example.com';
const PASSWORD = 'a password for the cli';

describe.runIf(process.env.TEST_DATABASE_URL)('the todo command while the server’s database is away', () => {
  let real: TestDatabase;
  let proxy: FaultProxy;
  let server: RunningServer;
  let home: string;

  const todo = (args: string[], input = '') =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, ...args], {
        env: { PATH: process.env.PATH ?? '', HOME: home, XDG_CONFIG_HOME: home, TODO_URL: server.url },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
      });
      child.stderr.on('data', (chunk) => {
        stderr += chunk;
      });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end(input);
    });

  beforeAll(async () => {
    real = await createTestDatabase('pg');
    proxy = await startFaultProxy(real.url ?? '');
    const config = {
      ...(real.config as Extract<DatabaseConfig, { driver: 'pg' | 'neon' }>),
      url: proxy.through(real.url ?? ''),
      connectTimeoutMs: 1_000,
    };
    home = mkdtempSync(join(tmpdir(), 'todo-cli-away-'));
    server = await startServer(
      loadConfig({
        NODE_ENV: 'production',
        PORT: '0',
        HOST: '127.0.0.1',
        BETTER_AUTH_SECRET: 'a-test-secret-that-is-long-enough-for-auth',
        AUTH_RATE_LIMIT_PER_MINUTE: '0',
        LOG_LEVEL: 'silent',
        WEB_DIST: home,
      }),
      Object.assign(createDatabase(config), { config }),
    );
    expect((await todo(['signup', '--name', 'Away', '--email', EMAIL], PASSWORD)).code).toBe(0);
  });
  afterAll(async () => {
    await server?.close(1_000);
    await proxy?.close();
    await real?.dispose();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('says so in one sentence and exits 5, for a call and for a sign-in; works again once it is back', async () => {
    expect((await todo(['add', 'before'])).code).toBe(0);
    await proxy.refuse();
    const sentence = `todo: The server at ${server.url} cannot reach its database; try again in a moment.\n`;
    for (const args of [['ls'], ['add', 'while away'], ['login', '--email', EMAIL]]) {
      const run = await todo(args, PASSWORD);
      expect({ args, code: run.code, stderr: run.stderr, stdout: run.stdout }).toEqual({
        args,
        code: 5,
        stderr: sentence,
        stdout: '',
      });
    }
    await proxy.restore();
    const ls = await todo(['ls', '--json']);
    expect(ls.code).toBe(0);
    expect((JSON.parse(ls.stdout) as { todos: { title: string }[] }).todos.map((todo) => todo.title)).toEqual(
      ['before'],
    );
  });
});
