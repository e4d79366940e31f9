import { type Kysely, sql, type Transaction } from 'kysely';
import type { DB } from './schema.ts';

/** The role the API acts as; row-level security applies to it (migrations/0004). */
export const APP_ROLE = 'todo_app';

/**
 * Runs `fn` in a transaction as the application role with `userId` as the transaction-local
 * `app.user_id`, so row-level security confines every statement to that user's rows, even one
 * that forgot its `where user_id = …`. Both settings end with the transaction, so a pooled
 * connection goes back clean. Use only the transaction inside `fn`: the outer `db` would wait
 * for PGlite's one connection forever.
 *
 * @example
 * const todos = await withUserScope(db, userId, (trx) => listTodos(trx, userId));
 */
export function withUserScope<T>(
  db: Kysely<DB>,
  userId: string,
  fn: (trx: Transaction<DB>) => Promise<T>,
): Promise<T> {
  return db.transaction().execute(async (trx) => {
    // One statement for both: set_config('role', …, true) is `set local role`.
    await sql`select set_config('role', ${APP_ROLE}, true), set_config('app.user_id', ${userId}, true)`.execute(
      trx,
    );
    return fn(trx);
  });
}
