import { getUserProfile, importTodos, listAllTodos } from '@todo/db';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { authedProcedure, router } from '../trpc.ts';
import { description, id, title } from './todo.ts';

export const MAX_IMPORTED_TODOS = 10_000;

// PostgreSQL prints years 1–9999 the way the API reads them back; outside, export would fail.
const FIRST_INSTANT = Date.parse('0001-01-01T00:00:00Z');
const LAST_INSTANT = Date.parse('9999-12-31T23:59:59.999Z');
const instant = z.iso
  .datetime({ offset: true, error: 'must be an ISO-8601 instant, e.g. 2026-12-01T09:30:00.000Z' })
  .refine((value) => {
    const time = Date.parse(value);
    return time >= FIRST_INSTANT && time <= LAST_INSTANT;
  }, 'must be between the years 1 and 9999');

// What an export holds; unknown keys (updatedAt, fields of a newer server) are ignored.
const importedTodo = z.object({
  id,
  title,
  description: description.nullish().transform((value) => value ?? null),
  completed: z.boolean().default(false),
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
