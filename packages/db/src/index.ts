export * from './caller.ts';
export * from './config.ts';
export * from './database.ts';
export * from './migrate.ts';
export * from './readiness.ts';
export * from './todos.ts';
export * from './users.ts';
