import { getUserProfile, importTodos, listAllTodos } from '@todo/db';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { authedProcedure, router } from '../trpc.ts';
import { description, id, instant, priority, title } from './todo.ts';

export const MAX_IMPORTED_TODOS = 10_000;

// What an export holds; unknown keys (updatedAt, fields of a newer server) are ignored.
const importedTodo = z.object({
  id,
  title,
  description: description.nullish().transform((value) => value ?? null),
  completed: z.boolean().default(false),
  dueAt: instant.nullish().transform((value) => value ?? null),
  priority: priority.default('none'),
  createdAt: instant.nullish().transform((value) => value ?? null),
});

const exportFile = z.object({
  todos: z
    .array(importedTodo)
    .max(MAX_IMPORTED_TODOS, `must hold at most ${MAX_IMPORTED_TODOS.toLocaleString('en')} todos`),
});

export const accountRouter = router({
  export: authedProcedure.query(async ({ ctx }) => {
    const user = await getUserProfile(ctx.db, ctx.owner);
    // The session outlived its user (deleted meanwhile): treat as signed out.
    if (!user) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in to continue' });
    const todos = await listAllTodos(ctx.db, ctx.owner);
    return { exportedAt: new Date().toISOString(), user, todos };
  }),

  import: authedProcedure
    .input(exportFile)
    .mutation(({ ctx, input }) => importTodos(ctx.db, ctx.owner, input.todos)),
});
