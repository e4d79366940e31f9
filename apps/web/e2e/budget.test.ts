// The first-load budget: the JavaScript that index.html makes the browser fetch before the app
// can paint (every script, and every module it preloads) stays within 100,000 bytes gzipped
// (gzip level 6, zlib's default), each file compressed on its own as a server sends it. React's
// DOM renderer is about 62,000 of them. What the first paint does not need comes in chunks of
// its own: dnd-kit (reordering), the live sync (todo.changes and its event-stream reader), what
// each todo write does, the account and sign-in screens, a todo's details, what changes lists (a
// list header's actions, the new-list form), the share dialog, quick add's parser (chrono-node,
// fetched once the person types), the undo message, the Today and Upcoming views.
// Checked on the build the browser tests run against (global-setup.ts builds it when stale).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
// Everything the first paint imports is one file (vite.config.ts). The todos, the list switcher
// and a list's name show at once, so their code is in it; what a click or a keystroke opens, and
// what starts after the first paint (the live sync, what each write does), comes in chunks.
const FIRST_LOAD_BUDGET = 100_000;
/** Strings of dnd-kit's own (the ids of its screen-reader elements). */
const DND_KIT = /DndDescribedBy|DndLiveRegion/;
/** A name of chrono-node's own (its time zone table's daylight-saving entries). */
const CHRONO = /timezoneOffsetDuringDst/;
/** A message of tRPC's WebSocket client's own, which the app never opens. */
const TRPC_WEBSOCKET = /No WebSocket implementation found/;

/** The same-origin JS files index.html loads: `<script src>` and `<link rel="modulepreload" href>`. */
export function firstLoadFiles(html: string): string[] {
  const scripts = [...html.matchAll(/<script\b[^>]*\bsrc="\/([^"]+\.js)"/g)];
  const preloads = [...html.matchAll(/<link\b[^>]*\brel="modulepreload"[^>]*>/g)].map((link) =>
    link[0].match(/\bhref="\/([^"]+\.js)"/),
  );
  return [...new Set([...scripts, ...preloads].map((match) => match?.[1] ?? ''))];
}

const gzipped = (file: string) => gzipSync(readFileSync(`${DIST}${file}`)).length;
const lazyChunk = (name: string) =>
  readdirSync(`${DIST}assets`).filter((file) => file.startsWith(`${name}-`));

describe.skipIf(!existsSync(`${DIST}index.html`))('the first load', () => {
  const html = () => readFileSync(`${DIST}index.html`, 'utf8');

  test('finds scripts and module preloads in index.html', () => {
    expect(
      firstLoadFiles(
        '<script type="module" crossorigin src="/assets/index-a.js"></script>' +
          '<link rel="modulepreload" crossorigin href="/assets/vendor-b.js">' +
          '<link rel="stylesheet" href="/assets/index-c.css"><script src="/registerSW.js" defer></script>',
      ),
    ).toEqual(['assets/index-a.js', 'registerSW.js', 'assets/vendor-b.js']);
  });

  test('index.html’s scripts and module preloads stay within 100,000 bytes gzipped', () => {
    const files = firstLoadFiles(html());
    expect(files.length).toBeGreaterThan(0);
    const sizes = files.map((file) => [file, gzipped(file)] as const);
    const total = sizes.reduce((sum, [, size]) => sum + size, 0);
    console.log(
      `first load ${total.toLocaleString('en')} bytes gzipped: ${sizes.map(([file, size]) => `${file} ${size.toLocaleString('en')}`).join(', ')}`,
    );
    expect(total).toBeLessThanOrEqual(FIRST_LOAD_BUDGET);
  });

  test('dnd-kit is in a chunk of its own, out of the first load', () => {
    const code = firstLoadFiles(html())
      .map((file) => readFileSync(`${DIST}${file}`, 'utf8'))
      .join('\n');
    expect(code).not.toMatch(DND_KIT);
    const lazy = lazyChunk('reorder-sortable').filter((file) => file.endsWith('.js'));
    expect(lazy).toHaveLength(1);
    expect(readFileSync(`${DIST}assets/${lazy[0]}`, 'utf8')).toMatch(DND_KIT);
    console.log(`reorder chunk ${gzipped(`assets/${lazy[0]}`).toLocaleString('en')} bytes gzipped`);
  });

  test('quick add’s parser (chrono-node) is in a chunk of its own, out of the first load', () => {
    const code = firstLoadFiles(html())
      .map((file) => readFileSync(`${DIST}${file}`, 'utf8'))
      .join('\n');
    expect(code).not.toMatch(CHRONO);
    const lazy = lazyChunk('quick-add').filter((file) => file.endsWith('.js'));
    expect(lazy).toHaveLength(1);
    expect(readFileSync(`${DIST}assets/${lazy[0]}`, 'utf8')).toMatch(CHRONO);
    console.log(`quick-add chunk ${gzipped(`assets/${lazy[0]}`).toLocaleString('en')} bytes gzipped`);
  });

  test('the live sync and its event-stream reader are chunks of their own, out of the first load', () => {
    const firstLoad = firstLoadFiles(html());
    for (const name of ['live-sync', 'live-link']) {
      const chunks = lazyChunk(name).filter((file) => file.endsWith('.js'));
      expect(chunks, name).toHaveLength(1);
      expect(firstLoad, name).not.toContain(`assets/${chunks[0]}`);
    }
    // httpSubscriptionLink opens an EventSource: no first-load code names it.
    const code = firstLoad.map((file) => readFileSync(`${DIST}${file}`, 'utf8')).join('\n');
    expect(code).not.toMatch(/EventSource/);
    // Nor does tRPC's WebSocket client come with it (vite.config.ts, liveTrpcWebSocketModule).
    expect(code).not.toMatch(TRPC_WEBSOCKET);
  });

  test('the undo message (with the restore) and the Today and Upcoming views are chunks of their own', () => {
    const firstLoad = firstLoadFiles(html());
    for (const name of ['undo-message', 'agenda-screen']) {
      const chunks = lazyChunk(name).filter((file) => file.endsWith('.js'));
      expect(chunks, name).toHaveLength(1);
      expect(firstLoad, name).not.toContain(`assets/${chunks[0]}`);
    }
  });

  test('what each todo write does and what changes lists are chunks of their own', () => {
    const code = firstLoadFiles(html())
      .map((file) => readFileSync(`${DIST}${file}`, 'utf8'))
      .join('\n');
    // A sentence each chunk says, and nothing in the first load does.
    const chunks = {
      'todo-write-steps': 'Your list is back as it was.',
      'list-actions': 'Its members lose it too.',
    };
    for (const [name, sentence] of Object.entries(chunks)) {
      const lazy = lazyChunk(name).filter((file) => file.endsWith('.js'));
      expect(lazy, name).toHaveLength(1);
      expect(readFileSync(`${DIST}assets/${lazy[0]}`, 'utf8'), name).toContain(sentence);
      expect(code, name).not.toContain(sentence);
    }
  });
});
