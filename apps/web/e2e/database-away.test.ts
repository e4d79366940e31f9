// The server runs, but its PostgreSQL is away (behind a TCP proxy the test takes down): the
// app says so, keeps the change the user just made on screen and in its queue, sends it again,
// and it is saved once the database is back.
import { createDatabase, type DatabaseConfig } from '@todo/db';
import { createTestDatabase, type FaultProxy, startFaultProxy } from '@todo/db/testing';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type App,
  addTodos,
  expectTitles,
  hasChromium,
  launchBrowser,
  openAsNewUser,
  settled,
  startApp,
} from './harness.ts';

/** Requests the browser logs as failed while the database is away. */
const AWAY = [/status of 503/];

describe.skipIf(!hasChromium || !process.env.TEST_DATABASE_URL)('the server’s database away', () => {
  let app: App;
  let browser: Browser;
  let proxy: FaultProxy;

  beforeAll(async () => {
    const real = await createTestDatabase('pg');
    proxy = await startFaultProxy(real.url ?? '');
    const config = {
      ...(real.config as Extract<DatabaseConfig, { driver: 'pg' | 'neon' }>),
      url: proxy.through(real.url ?? ''),
      connectTimeoutMs: 1_000,
    };
    const proxied = createDatabase(config);
    const dispose = async () => {
      await proxied.close();
      await proxy.close();
      await real.dispose();
    };
    [app, browser] = await Promise.all([
      startApp('pg', {}, { ...proxied, url: config.url, config, dispose }),
      launchBrowser(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  test('says so, keeps the new todo, retries, and it is saved when the database is back', async () => {
    const { context, page, problems } = await openAsNewUser(browser, app, { allow: AWAY });
    await addTodos(page, 'Before');
    await settled(page);

    await proxy.refuse();
    await addTodos(page, 'While away');
    const status = page.locator('p.connection');
    await expect
      .poll(() => status.textContent(), { timeout: 15_000 })
      .toMatch(/^The server cannot reach its database; 1 change waiting, retrying…$/);
    await expectTitles(page, ['Before', 'While away']);
    expect(await page.locator('[role="alert"]').count()).toBe(0);

    await proxy.restore();
    await expect.poll(() => status.textContent(), { timeout: 30_000 }).not.toMatch(/database/);
    await settled(page);
    await page.reload();
    await expectTitles(page, ['Before', 'While away']);
    expect(problems).toEqual([]);
    await context.close();
  });
});
