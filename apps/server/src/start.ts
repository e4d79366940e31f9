// `pnpm start`: main.ts in production mode unless NODE_ENV says otherwise. Setting it here rather
// than as `NODE_ENV=production tsx …` in package.json works in every shell, Windows' included.
// The import is dynamic so that it runs after the assignment (static imports are hoisted).
process.env.NODE_ENV ??= 'production';
await import('./main.ts');
