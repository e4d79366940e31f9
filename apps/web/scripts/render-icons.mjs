// Renders the install icons (the web app manifest's PNGs) from public/favicon.svg with Debian's
// Chromium, so the icons never drift from the favicon. Run after changing the favicon:
//   node apps/web/scripts/render-icons.mjs
// and commit the PNGs it writes into apps/web/public/. CHROMIUM_PATH overrides /usr/bin/chromium.
import { readFileSync, writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const PUBLIC = new URL('../public/', import.meta.url);
const svg = readFileSync(new URL('favicon.svg', PUBLIC), 'utf8');
// The favicon's own colours: a red tile with a white check mark.
const tile = /<rect[^>]*fill="(#[0-9a-f]{6})"/i.exec(svg)?.[1];
const mark = /<path[^>]*\/>/.exec(svg)?.[0];
if (!tile || !mark) throw new Error('favicon.svg: expected a filled <rect> and a <path> check mark');

/**
 * A maskable icon may be cut to any shape inside its middle 80 % (the safe zone): the tile fills
 * the whole square, with no rounded corners, and the check mark is shrunk to sit well inside.
 */
const maskable = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" fill="${tile}"/><g transform="translate(16 16) scale(0.7) translate(-16 -16)">${mark}</g></svg>`;

const ICONS = [
  { file: 'icon-192.png', size: 192, source: svg },
  { file: 'icon-512.png', size: 512, source: svg },
  { file: 'icon-maskable-512.png', size: 512, source: maskable },
];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
try {
  for (const { file, size, source } of ICONS) {
    const page = await browser.newPage({ viewport: { width: size, height: size } });
    const data = `data:image/svg+xml;base64,${Buffer.from(source).toString('base64')}`;
    await page.setContent(
      `<style>html,body{margin:0;background:transparent}img{display:block}</style><img src="${data}" width="${size}" height="${size}">`,
    );
    await page.locator('img').evaluate((img) => img.decode());
    writeFileSync(new URL(file, PUBLIC), await page.screenshot({ omitBackground: true }));
    await page.close();
    console.log(`wrote public/${file} (${size}×${size})`);
  }
} finally {
  await browser.close();
}
