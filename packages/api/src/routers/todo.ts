import {
  clearCompleted,
  countTodos,
  createTodo,
  deleteTodo,
  getTodo,
  InvalidCursorError,
  listTodos,
  moveTodo,
  setAllCompleted,
  TODO_ORDERS,
  TODO_PRIORITIES,
  type Todo,
  TodoIdTakenError,
  updateTodo,
} from '@todo/db';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { authedProcedure, router } from '../trpc.ts';
import { changesProcedure } from './changes.ts';

// PostgreSQL text cannot hold NUL, and a lone UTF-16 surrogate has no UTF-8 form (a driver
// would fail on it or silently store U+FFFD): refuse both here, as invalid input.
export const text = () =>
  z
    .string()
    .refine((value) => !value.includes('\0'), 'must not contain NUL characters')
    .refine((value) => !/\p{Surrogate}/u.test(value), 'must be valid Unicode text (no unpaired surrogates)');
export const id = z.uuid({ error: 'must be a todo id (uuid)' });
// Which list a call is about; absent, the caller's Inbox.
export const listId = z.uuid({ error: 'must be a list id (uuid)' });
export const title = text().trim().min(1, 'must not be empty').max(500, 'must be at most 500 characters');
export const description = text().max(10_000, 'must be at most 10,000 characters');

// PostgreSQL prints years 1–9999 the way the API reads them back; outside, reading fails.
const FIRST_INSTANT = Date.parse('0001-01-01T00:00:00Z');
const LAST_INSTANT = Date.parse('9999-12-31T23:59:59.999Z');
/** An ISO-8601 instant: a date, a time and a zone (`Z` or an offset). */
export const instant = z.iso
  .datetime({ offset: true, error: 'must be an ISO-8601 instant, e.g. 2026-12-01T09:30:00.000Z' })
  .refine((value) => {
    const time = Date.parse(value);
    return time >= FIRST_INSTANT && time <= LAST_INSTANT;
  }, 'must be between the years 1 and 9999');
export const priority = z.enum(TODO_PRIORITIES, { error: 'must be one of none, low, medium, high' });

const found = (todo: Todo | undefined): Todo => {
  if (!todo) throw new TRPCError({ code: 'NOT_FOUND', message: 'Todo not found' });
  return todo;
};

export const todoRouter = router({
  list: authedProcedure
    .input(
      z
        .strictObject({
          listId: listId.optional(),
          // Every list the caller is a member of at once (Today, Upcoming), instead of one.
          allLists: z.literal(true, { error: 'must be true, or left out' }).optional(),
          filter: z.enum(['all', 'active', 'completed']).default('all'),
          search: text().max(500).optional(),
          order: z
            .enum(TODO_ORDERS, { error: 'must be one of newest, oldest, manual, due, priority' })
            .default('newest'),
          dueBefore: instant.optional(),
          dueAfter: instant.optional(),
          limit: z.number().int().min(1).max(100).default(50),
          cursor: z.string().max(512).nullish(),
          // Sent by tRPC's infinite queries (useInfiniteQuery) with every page; pages only go forward.
          direction: z.enum(['forward', 'backward']).optional(),
        })
        .refine((input) => !(input.allLists && input.listId), {
          path: ['allLists'],
          message: 'cannot be given with listId',
        })
        .prefault({}),
    )
    .query(async ({ ctx, input: { direction: _direction, ...input } }) => {
      try {
        return await listTodos(ctx.db, ctx.owner, input);
      } catch (error) {
        if (error instanceof InvalidCursorError) {
          // Reported like every other invalid field, so clients find it in zodError.fieldErrors.
          // ZodRealError is the Error subclass that parse() throws; tRPC keeps only Errors as causes.
          const cause = new z.ZodRealError([
            {
              code: 'custom',
              path: ['cursor'],
              message: 'must be a nextCursor from this list',
              input: input.cursor,
            },
          ]);
          throw new TRPCError({ code: 'BAD_REQUEST', message: 'Invalid cursor', cause });
        }
        throw error;
      }
    }),

  counts: authedProcedure
    .input(z.strictObject({ listId: listId.optional() }).optional())
    .query(({ ctx, input }) => countTodos(ctx.db, ctx.owner, { listId: input?.listId })),

  get: authedProcedure
    .input(z.strictObject({ id }))
    .query(async ({ ctx, input }) => found(await getTodo(ctx.db, ctx.owner, input.id))),

  create: authedProcedure
    .input(
      z.strictObject({
        // Proposed by a client that creates offline; repeating a create of one's own id returns
        // that todo as it is.
        id: id.optional(),
        listId: listId.optional(),
        title,
        description: description.nullish(),
        dueAt: instant.nullish(),
        priority: priority.optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      try {
        return await createTodo(ctx.db, ctx.owner, input);
      } catch (error) {
        if (error instanceof TodoIdTakenError) {
          // Whose todo it is, and what it holds, stays unsaid.
          throw new TRPCError({ code: 'CONFLICT', message: 'This id is taken' });
        }
        throw error;
      }
    }),

  update: authedProcedure
    .input(
      z
        .strictObject({
          id,
          title: title.optional(),
          description: description.nullable().optional(),
          completed: z.boolean().optional(),
          dueAt: instant.nullable().optional(),
          priority: priority.optional(),
          // Moves the todo to the end of that list, which the caller must be able to write.
          listId: listId.optional(),
        })
        .refine(
          ({ id: _id, ...patch }) => Object.values(patch).some((value) => value !== undefined),
          'give at least one of title, description, completed, dueAt, priority or listId',
        ),
    )
    .mutation(async ({ ctx, input: { id, ...patch } }) =>
      found(await updateTodo(ctx.db, ctx.owner, id, patch)),
    ),

  move: authedProcedure
    .input(z.strictObject({ id, afterId: id.nullable() }))
    .mutation(async ({ ctx, input }) => found(await moveTodo(ctx.db, ctx.owner, input.id, input.afterId))),

  delete: authedProcedure.input(z.strictObject({ id })).mutation(async ({ ctx, input }) => {
    if (!(await deleteTodo(ctx.db, ctx.owner, input.id))) {
      throw new TRPCError({ code: 'NOT_FOUND', message: 'Todo not found' });
    }
    return { id: input.id };
  }),

  setAllCompleted: authedProcedure
    .input(z.strictObject({ completed: z.boolean(), listId: listId.optional() }))
    .mutation(async ({ ctx, input }) => ({
      updated: await setAllCompleted(ctx.db, ctx.owner, input.completed, { listId: input.listId }),
    })),

  clearCompleted: authedProcedure
    .input(z.strictObject({ listId: listId.optional() }).optional())
    .mutation(async ({ ctx, input }) => ({
      deleted: await clearCompleted(ctx.db, ctx.owner, { listId: input?.listId }),
    })),

  changes: changesProcedure,
});
