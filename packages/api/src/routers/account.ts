import {
  getUserProfile,
  type ImportedTodo,
  importTodos,
  listEveryTodo,
  listLists,
  MAX_OWNED_LISTS,
  ownListsNamed,
} from '@todo/db';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { authedProcedure, router } from '../trpc.ts';
import { description, id, instant, listName, priority, title } from './fields.ts';

export const MAX_IMPORTED_TODOS = 10_000;

// What an export holds; unknown keys (updatedAt, fields of a newer server) are ignored.
const importedTodo = z.object({
  id,
  // The `id` of one of the file's lists; absent (files from before lists), the Inbox.
  listId: z.string().max(100).nullish(),
  title,
  description: description.nullish().transform((value) => value ?? null),
  completed: z.boolean().default(false),
  dueAt: instant.nullish().transform((value) => value ?? null),
  priority: priority.default('none'),
  createdAt: instant.nullish().transform((value) => value ?? null),
});

const importedList = z.object({
  // The file's own key for the list, which its todos name; the list itself is found by name.
  id: z.string().max(100),
  name: listName,
  isInbox: z.boolean().default(false),
});

const exportFile = z
  .object({
    lists: z
      .array(importedList)
      .max(MAX_OWNED_LISTS, `must hold at most ${MAX_OWNED_LISTS} lists`)
      .default([]),
    todos: z
      .array(importedTodo)
      .max(MAX_IMPORTED_TODOS, `must hold at most ${MAX_IMPORTED_TODOS.toLocaleString('en')} todos`),
  })
  .superRefine(({ lists, todos }, context) => {
    const keys = new Set(lists.map((list) => list.id));
    todos.forEach((todo, index) => {
      if (todo.listId != null && !keys.has(todo.listId)) {
        context.addIssue({
          code: 'custom',
          path: ['todos', index, 'listId'],
          message: 'must be the id of a list in the file',
        });
      }
    });
  });

export const accountRouter = router({
  export: authedProcedure.query(async ({ ctx }) => {
    const user = await getUserProfile(ctx.db, ctx.owner);
    // The session outlived its user (deleted meanwhile): treat as signed out.
    if (!user) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in to continue' });
    const lists = (await listLists(ctx.db, ctx.owner)).map(({ id, name, isInbox, role }) => ({
      id,
      name,
      isInbox,
      role,
    }));
    const todos = await listEveryTodo(ctx.db, ctx.owner);
    return { exportedAt: new Date().toISOString(), user, lists, todos };
  }),

  /**
   * Each list of the file becomes the caller's own list of that name (made when missing; the
   * Inbox for the Inbox), and each todo goes into its list, keeping its id and creation time.
   */
  import: authedProcedure.input(exportFile).mutation(async ({ ctx, input }) => {
    const ids = await ownListsNamed(ctx.db, ctx.owner, input.lists);
    const listOf = new Map(input.lists.map((list, index) => [list.id, ids[index]]));
    const byList = new Map<string | undefined, ImportedTodo[]>();
    for (const { listId, ...todo } of input.todos) {
      const target = listId == null ? undefined : listOf.get(listId);
      byList.set(target, [...(byList.get(target) ?? []), todo]);
    }
    let added = 0;
    let skipped = 0;
    for (const [listId, todos] of byList) {
      const result = await importTodos(ctx.db, ctx.owner, todos, { listId });
      added += result.added;
      skipped += result.skipped;
    }
    return { added, skipped };
  }),
});
