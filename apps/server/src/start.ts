// `pnpm start`: main.ts in production mode unless NODE_ENV says otherwise. Setting it here rather
// than as `NODE_ENV=production node …` in package.json works in every shell, Windows' included.
// The import is dynamic so that it runs after the assignment (static imports are hoisted).
//
// Built (`pnpm build`, see build.ts), this file is dist/start.js and the web app sits beside it
// in dist/web: the default for WEB_DIST, so that a deployed folder serves it with no setting.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

process.env.NODE_ENV ??= 'production';
const bundledWeb = fileURLToPath(new URL('./web/', import.meta.url));
if (existsSync(bundledWeb)) process.env.WEB_DIST ??= bundledWeb;
await import('./main.ts');
