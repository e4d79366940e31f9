export * from './config.ts';
export * from './database.ts';
export * from './migrate.ts';
export * from './session-batch.ts';
export * from './todos.ts';
export * from './user-scope.ts';
export * from './users.ts';
