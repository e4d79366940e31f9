// The web app's behaviour on an event, in a real browser: three tabs of one signed-in user on
// the built web app that the server serves, while another client makes writes for that user
// (creates, updates, a move, deletes). It counts the todo.list calls the tabs make after their
// first load, per write. The contract's events carry what a tab needs to apply them in place
// (CONTRACT.md "Realtime"), so the goal is 0; a tab that refetches its list on every event
// makes 1 per write, 3 for the three.
import { randomUUID } from 'node:crypto';
import { createTodoClient } from '@todo/client';
import { CHROMIUM_FLAGS } from '@todo/server/testing-chromium';
import { type Browser, chromium, type Page, type Request } from 'playwright-core';
import { onCleanup, type RunningProcess, sleep, withTimeout } from './processes.ts';

const TABS = 3;
/** A write is done with once every tab shows it and no tRPC call started or ended for this long. */
const QUIET_MS = 500;
/** How long a tab may take to show a write before it counts as not shown. */
const SHOW_TIMEOUT_MS = 10_000;

export type TabWrite = {
  write: string;
  /** todo.list calls of the three tabs, from the write until they were quiet again. */
  listReads: number;
  /** Every tRPC call of the tabs meanwhile, by procedure (todo.changes aside). */
  calls: Record<string, number>;
  /** Whether all three tabs showed the change within SHOW_TIMEOUT_MS. */
  shown: boolean;
};

export type TabsResult = {
  tabs: number;
  /** The todo.list calls of the tabs' first load, until each was live and quiet. */
  firstLoadListReads: number;
  writes: TabWrite[];
  listReads: number;
  listReadsPerWrite: number;
};

type Item = { title: string; completed: boolean };
type Api = ReturnType<typeof createTodoClient>;

/** The tRPC calls a request holds: `/api/trpc/todo.list,todo.counts?batch=1` holds two. */
function callsOf(url: string): string[] {
  const { pathname } = new URL(url);
  const at = pathname.indexOf('/api/trpc/');
  if (at === -1) return [];
  return decodeURIComponent(pathname.slice(at + '/api/trpc/'.length))
    .split(',')
    .filter((call) => call !== 'todo.changes');
}

/** Counts the tabs' tRPC calls (page.on('request')) and knows when none is under way. */
function watchCalls(pages: Page[]) {
  let counts: Record<string, number> = {};
  const pending = new Set<Request>();
  let lastActivity = performance.now();
  for (const page of pages) {
    page.on('request', (request) => {
      const calls = callsOf(request.url());
      if (calls.length === 0) return;
      pending.add(request);
      lastActivity = performance.now();
      for (const call of calls) counts[call] = (counts[call] ?? 0) + 1;
    });
    const settled = (request: Request) => {
      if (pending.delete(request)) lastActivity = performance.now();
    };
    page.on('requestfinished', settled);
    page.on('requestfailed', settled);
  }
  return {
    /** The calls counted since the last take. */
    take() {
      const taken = counts;
      counts = {};
      return taken;
    },
    /** Waits until no call is under way and none started or ended for QUIET_MS; throws after `timeoutMs`. */
    async quiet(timeoutMs = 60_000) {
      const deadline = performance.now() + timeoutMs;
      while (pending.size > 0 || performance.now() - lastActivity < QUIET_MS) {
        if (performance.now() > deadline)
          throw new Error(`the tabs were not quiet within ${timeoutMs / 1_000} s`);
        await sleep(50);
      }
    },
  };
}

/** A new account, signed up as the web app does (its own Origin); its bearer token and session cookies. */
async function signUp(url: string) {
  const response = await fetch(`${url}/api/auth/sign-up/email`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: url },
    body: JSON.stringify({
      name: 'Bench tabs',
      email: `bench-tabs-${randomUUID()}@example.com`,
      password: 'correct-horse-42',
    }),
  });
  if (!response.ok) throw new Error(`sign-up answered ${response.status}: ${await response.text()}`);
  const cookies = response.headers.getSetCookie().map((cookie) => {
    const pair = cookie.split(';', 1)[0]!;
    const at = pair.indexOf('=');
    return { name: pair.slice(0, at), value: pair.slice(at + 1), url };
  });
  return { token: response.headers.get('set-auth-token') ?? '', cookies };
}

/** The list as the web app shows it (manual order), read by the writer. */
async function listed(api: Api): Promise<Item[]> {
  const { items } = await api.todo.list.query({ order: 'manual', limit: 100 });
  return items.map(({ title, completed }) => ({ title, completed }));
}

/**
 * Whether `page` shows `expected` (TodoMVC's `.todo-list li`: its label, its `completed` class)
 * within SHOW_TIMEOUT_MS. Read from here: the app's CSP forbids the string evaluation that
 * waiting inside the page would take.
 */
async function shows(page: Page, expected: Item[]): Promise<boolean> {
  const want = JSON.stringify(expected);
  const deadline = performance.now() + SHOW_TIMEOUT_MS;
  do {
    const items = await page.locator('.todo-list li').evaluateAll((lis) =>
      lis.map((li) => ({
        title: li.querySelector('label')?.textContent ?? '',
        completed: li.classList.contains('completed'),
      })),
    );
    if (JSON.stringify(items) === want) return true;
    await sleep(50);
  } while (performance.now() < deadline);
  return false;
}

/** The writes, by name; titles stand for the todos, whose ids the creates learn. */
function writesFor(api: Api) {
  const ids = new Map<string, string>();
  const id = (title: string) => ids.get(title)!;
  const create = (title: string) => ({
    name: `create "${title}"`,
    run: async () => void ids.set(title, (await api.todo.create.mutate({ title })).id),
  });
  const update = (title: string, completed: boolean) => ({
    name: `${completed ? 'complete' : 'reopen'} "${title}"`,
    run: () => api.todo.update.mutate({ id: id(title), completed }),
  });
  return {
    seed: ['Alpha', 'Bravo', 'Charlie'].map(create),
    writes: [
      create('Delta'),
      create('Echo'),
      create('Foxtrot'),
      update('Delta', true),
      update('Alpha', true),
      update('Delta', false),
      {
        name: 'move "Foxtrot" to the top',
        run: () => api.todo.move.mutate({ id: id('Foxtrot'), afterId: null }),
      },
      ...['Bravo', 'Delta', 'Foxtrot'].map((title) => ({
        name: `delete "${title}"`,
        run: () => api.todo.delete.mutate({ id: id(title) }),
      })),
    ],
  };
}

/** Three tabs of the signed-in user on `/`, each live and showing `expected`; the watcher counts from their first request. */
async function openTabs(
  browser: Browser,
  url: string,
  cookies: { name: string; value: string; url: string }[],
  expected: Item[],
) {
  const context = await browser.newContext({ baseURL: url, viewport: { width: 900, height: 760 } });
  await context.addCookies(cookies);
  const pages = await Promise.all(Array.from({ length: TABS }, () => context.newPage()));
  const watcher = watchCalls(pages);
  for (const page of pages) {
    await page.goto('/');
    await page.locator('.connection[data-connection="live"]').waitFor({ state: 'attached', timeout: 30_000 });
    if (!(await shows(page, expected))) throw new Error('a tab did not show the seeded todos');
  }
  await watcher.quiet();
  return { pages, watcher };
}

/**
 * Signs a new user up on `server`, opens three tabs of it in Chromium, makes each write from
 * another client (@todo/client with the user's bearer token), and counts the tabs' calls.
 */
export async function benchTabs(server: RunningProcess, chromiumPath: string): Promise<TabsResult> {
  const { token, cookies } = await signUp(server.url);
  const api = createTodoClient({ url: server.url, token });
  const { seed, writes } = writesFor(api);
  for (const write of seed) await write.run();

  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: CHROMIUM_FLAGS,
  });
  onCleanup(() => browser.close());
  try {
    const { pages, watcher } = await withTimeout(
      'opening three tabs',
      120_000,
      openTabs(browser, server.url, cookies, await listed(api)),
    );
    const firstLoadListReads = watcher.take()['todo.list'] ?? 0;
    const measured: TabWrite[] = [];
    for (const write of writes) {
      await write.run();
      const expected = await listed(api);
      const shown = (await Promise.all(pages.map((page) => shows(page, expected)))).every(Boolean);
      await watcher.quiet();
      const calls = watcher.take();
      measured.push({ write: write.name, listReads: calls['todo.list'] ?? 0, calls, shown });
      console.log(
        `  ${write.name}: ${calls['todo.list'] ?? 0} todo.list calls${shown ? '' : ', NOT shown in every tab'}`,
      );
    }
    const listReads = measured.reduce((sum, write) => sum + write.listReads, 0);
    return {
      tabs: TABS,
      firstLoadListReads,
      writes: measured,
      listReads,
      listReadsPerWrite: listReads / measured.length,
    };
  } finally {
    await browser.close();
  }
}
