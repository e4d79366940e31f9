/**
 * The built web app (WEB_DIST), served by sirv: compressed copies negotiated here, hashed assets
 * cached for a year, everything else revalidated. An API-only server (no build) still starts.
 */
import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import sirv from 'sirv';
import { contentEncoding } from './content-encoding.ts';

/**
 * How long a browser may keep a file of the web build. Only Vite's content-hashed /assets/ files
 * never change under their name; everything else (index.html and the client routes it answers,
 * the service worker sw.js with its workbox-*.js, the manifest, the icons) must
 * be asked for again each time (an ETag makes that a 304), or a new deploy would go unseen: the
 * service worker's update check reads sw.js, and a stale index.html names assets that are gone.
 */
export function webCacheControl(pathname: string, production: boolean): string {
  if (production && pathname.startsWith('/assets/')) return 'public, max-age=31536000, immutable';
  return 'no-cache';
}

/**
 * The web app's handler: a file of the build, index.html for client routes, else 404.
 *
 * @example const web = createWebFiles({ webDist, production: true }); web(req, res);
 */
export function createWebFiles(options: { webDist: string; production: boolean }) {
  // sirv's production mode reads the folder at creation and would throw without one.
  const files = existsSync(options.webDist)
    ? sirv(options.webDist, {
        single: true,
        dev: !options.production,
        etag: true,
        // The .br and .gz copies of vite build's assets (apps/web/vite.config.ts), with Vary.
        brotli: true,
        gzip: true,
        setHeaders: (res, pathname) =>
          res.setHeader('cache-control', webCacheControl(pathname, options.production)),
      })
    : (_req: IncomingMessage, _res: ServerResponse, next: () => void) => next();
  return (req: IncomingMessage, res: ServerResponse) => {
    // sirv picks a copy by a substring of Accept-Encoding and would send br to `br;q=0`: it gets
    // the one encoding negotiated here instead.
    req.headers['accept-encoding'] = contentEncoding(req.headers['accept-encoding']);
    files(req, res, () => {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found (is the web app built?)');
    });
  };
}
