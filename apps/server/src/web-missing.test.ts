// A fresh clone runs the server before anyone built the web app (tests, an API-only deploy):
// it must start and serve the API, answering page requests with a plain 404.

import { defaultTestDriver } from '@todo/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './testing.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer(defaultTestDriver, {
    NODE_ENV: 'production',
    WEB_DIST: '/nonexistent/todo-web-dist',
  });
});
afterAll(() => server?.stop());

it('starts in production without a web build and still serves the API', async () => {
  expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  expect((await fetch(`${server.url}/api/trpc/todo.counts`)).status).toBe(401);
  const page = await fetch(`${server.url}/some/client/route`);
  expect(page.status).toBe(404);
  expect(await page.text()).toContain('is the web app built?');
});
