// The sentence a failed start prints, for real errors: a port another socket holds, a database
// server nobody answers at. The compiled server's own refusal of a port in use is in
// deploy.test.ts, another process's embedded database in data-dir-lock.test.ts.
import { once } from 'node:events';
import { createServer } from 'node:net';
import { createDatabase, type DatabaseConfig, waitForDatabase } from '@todo/db';
import { describe, expect, it } from 'vitest';
import { describeStartFailure } from './start-failure.ts';
import { freePort } from './testing.ts';

/** What `listen` throws when it cannot have the address. */
async function listenError(port: number, host = '127.0.0.1'): Promise<unknown> {
  const server = createServer();
  server.listen(port, host);
  const [error] = await once(server, 'error').catch((reason: unknown) => [reason]);
  return error;
}

const pglite: DatabaseConfig = { driver: 'pglite', dataDir: null };

describe('describeStartFailure', () => {
  it('a port in use: which one, and what to do', async () => {
    const holder = createServer().listen(0, '127.0.0.1');
    await once(holder, 'listening');
    const { port } = holder.address() as { port: number };
    try {
      const error = await listenError(port);
      expect(describeStartFailure(error, { port, host: '127.0.0.1', database: pglite })).toBe(
        `Port ${port} is in use: stop the other server, or set PORT to another port (PORT=${port + 1}).`,
      );
    } finally {
      holder.close();
    }
  });

  it('an address that is not one of this machine', async () => {
    const error = await listenError(0, '192.0.2.1');
    expect(describeStartFailure(error, { port: 3000, host: '192.0.2.1', database: pglite })).toBe(
      'Cannot listen on 192.0.2.1:3000 (that address is not one of this machine): set HOST and PORT to ones this server may use.',
    );
  });

  it('a database server that does not answer: where (never the password) and why', async () => {
    const port = await freePort();
    const database: DatabaseConfig = {
      driver: 'pg',
      url: `postgres://todo:a-secret-password@127.0.0.1:${port}/todo`,
      poolMax: 1,
      connectTimeoutMs: 1_000,
      idleTimeoutMs: 1_000,
      statementTimeoutMs: 1_000,
    };
    const opened = createDatabase(database);
    const error = await waitForDatabase(opened.db, { attempts: 1 }).then(
      () => expect.fail('a database answered'),
      (reason: unknown) => reason,
    );
    await opened.close();
    const sentence = describeStartFailure(error, { port: 3000, host: '127.0.0.1', database });
    expect(sentence).toBe(
      `Cannot reach the database at 127.0.0.1:${port}/todo (connect ECONNREFUSED 127.0.0.1:${port}): start it, or set DATABASE_URL to one that runs.`,
    );
    expect(sentence).not.toContain('a-secret-password');
  });

  it('anything else: the first line of its message, and where to see more', () => {
    const error = new Error('relation "todos" does not exist\nQUERY: select 1 from todos');
    expect(describeStartFailure(error, { port: 3000, host: '127.0.0.1', database: pglite })).toBe(
      'Could not start: relation "todos" does not exist. LOG_LEVEL=debug shows where it failed.',
    );
  });
});
