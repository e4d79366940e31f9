import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumLookup } from './harness.ts';

const WEB_ROOT = fileURLToPath(new URL('..', import.meta.url));
const INPUTS = ['src', 'public', 'index.html', 'vite.config.ts', 'package.json', '../../packages/client/src'];

function newestChange(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((entry) => newestChange(join(path, entry))));
}

/** Builds the web app when dist is missing or older than any of its sources. */
export default function setup() {
  if (!chromiumLookup.found) {
    // A CHROMIUM_PATH that points nowhere is a mistake to fix; no Chromium at all only skips.
    if (chromiumLookup.configured) throw new Error(`Browser tests: ${chromiumLookup.message}`);
    console.warn(`\n  Browser tests skipped: ${chromiumLookup.message}.\n`);
    return;
  }
  const built = newestChange(join(WEB_ROOT, 'dist/index.html'));
  const sources = Math.max(...INPUTS.map((input) => newestChange(join(WEB_ROOT, input))));
  if (built >= sources) return;
  console.log('  Building the web app for the browser tests…');
  // A separate process: vitest sets NODE_ENV=test, which would bundle React's development build.
  const vite = join(WEB_ROOT, 'node_modules/vite/bin/vite.js');
  execFileSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
    cwd: WEB_ROOT,
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: 'inherit',
  });
}
