import { createTodoClient } from '@todo/client';
import type { Context } from './command.ts';
import { storedToken } from './config-store.ts';
import { CliError, EXIT } from './errors.ts';

/** The typed tRPC client of one server, signed in. */
export type Api = ReturnType<typeof createTodoClient>;

/**
 * The client of the command's server, with the stored session; refuses when there is none.
 *
 * @example
 * const { api } = await session(context);
 * const todos = await api.todo.list.query({});
 */
export async function session(context: Context): Promise<{ api: Api; token: string }> {
  const token = await storedToken(context.io.env, context.url);
  if (!token)
    throw new CliError(`Not signed in to ${context.url}. Run \`todo login\` first.`, EXIT.notSignedIn);
  context.used.token = token;
  return { api: createTodoClient({ url: context.url, token }), token };
}
