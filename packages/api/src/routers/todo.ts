/**
 * The todo procedures (`todo.*`): each is a named procedure below, and `todoRouter` lists them
 * under the names clients call. `todo.changes`, the event stream, lives in changes.ts.
 */
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
  type Todo,
  TodoIdTakenError,
  updateTodo,
} from '@todo/db';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { authedProcedure, router } from '../trpc.ts';
import { changesProcedure } from './changes.ts';
import { description, id, instant, listId, priority, text, title } from './fields.ts';

const found = (todo: Todo | undefined): Todo => {
  if (!todo) throw new TRPCError({ code: 'NOT_FOUND', message: 'Todo not found' });
  return todo;
};

/** An optional list (absent: the Inbox), as the calls about a whole list take it. */
const ofList = z.strictObject({ listId: listId.optional() });

const listInput = z
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
  .prefault({});

/** A page of a list's todos, filtered, searched and in the order asked, with the next page's cursor. */
const listProcedure = authedProcedure
  .input(listInput)
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
  });

const countsProcedure = authedProcedure
  .input(ofList.optional())
  .query(({ ctx, input }) => countTodos(ctx.db, ctx.owner, { listId: input?.listId }));

const getProcedure = authedProcedure
  .input(z.strictObject({ id }))
  .query(async ({ ctx, input }) => found(await getTodo(ctx.db, ctx.owner, input.id)));

const createInput = z.strictObject({
  // Proposed by a client that creates offline; repeating a create of one's own id returns
  // that todo as it is.
  id: id.optional(),
  listId: listId.optional(),
  title,
  description: description.nullish(),
  dueAt: instant.nullish(),
  priority: priority.optional(),
});

// Each of these writes with one statement; a second one only reads, to say why nothing changed.
const ONE_STATEMENT = { oneStatement: true };

const createProcedure = authedProcedure
  .meta(ONE_STATEMENT)
  .input(createInput)
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
  });

const updateInput = z
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
  );

const updateProcedure = authedProcedure
  .meta(ONE_STATEMENT)
  .input(updateInput)
  .mutation(async ({ ctx, input: { id, ...patch } }) =>
    found(await updateTodo(ctx.db, ctx.owner, id, patch)),
  );

const moveProcedure = authedProcedure
  .input(z.strictObject({ id, afterId: id.nullable() }))
  .mutation(async ({ ctx, input }) => found(await moveTodo(ctx.db, ctx.owner, input.id, input.afterId)));

const deleteProcedure = authedProcedure
  .meta(ONE_STATEMENT)
  .input(z.strictObject({ id }))
  .mutation(async ({ ctx, input }) => {
    if (!(await deleteTodo(ctx.db, ctx.owner, input.id))) {
      throw new TRPCError({ code: 'NOT_FOUND', message: 'Todo not found' });
    }
    return { id: input.id };
  });

const setAllCompletedProcedure = authedProcedure
  .meta(ONE_STATEMENT)
  .input(z.strictObject({ completed: z.boolean(), listId: listId.optional() }))
  .mutation(async ({ ctx, input }) => ({
    updated: await setAllCompleted(ctx.db, ctx.owner, input.completed, { listId: input.listId }),
  }));

const clearCompletedProcedure = authedProcedure
  .meta(ONE_STATEMENT)
  .input(ofList.optional())
  .mutation(async ({ ctx, input }) => ({
    deleted: await clearCompleted(ctx.db, ctx.owner, { listId: input?.listId }),
  }));

export const todoRouter = router({
  list: listProcedure,
  counts: countsProcedure,
  get: getProcedure,
  create: createProcedure,
  update: updateProcedure,
  move: moveProcedure,
  delete: deleteProcedure,
  setAllCompleted: setAllCompletedProcedure,
  clearCompleted: clearCompletedProcedure,
  changes: changesProcedure,
});
