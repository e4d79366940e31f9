import { QueryClient } from '@tanstack/react-query';
import type { AppRouter } from '@todo/client';
import { createTRPCClient } from '@trpc/client';
import { createTRPCOptionsProxy } from '@trpc/tanstack-react-query';
import { describe, expect, test } from 'vitest';
import { listInput, listInputOf, todoKeys, writeKey } from './todo-keys.ts';

// tRPC's own keys, from the proxy the app's components use (no request is made to build one).
const trpc = createTRPCOptionsProxy<AppRouter>({
  client: createTRPCClient<AppRouter>({ links: [] }),
  queryClient: new QueryClient(),
});

describe('todoKeys', () => {
  test('are the keys tRPC gives the same queries and mutations', () => {
    const input = listInput('due', 'milk');
    expect(todoKeys.all).toEqual(trpc.todo.pathKey());
    expect(todoKeys.lists).toEqual(trpc.todo.list.pathKey());
    expect(todoKeys.list(input)).toEqual(trpc.todo.list.infiniteQueryKey(input));
    expect(todoKeys.list(input)).toEqual(
      trpc.todo.list.infiniteQueryOptions(input, { getNextPageParam: () => null }).queryKey,
    );
    expect(todoKeys.counts()).toEqual(trpc.todo.counts.queryKey());
    const listId = '0b7d7c1e-2f4a-4c55-9a53-1b2f3c4d5e6f';
    expect(todoKeys.counts(listId)).toEqual(trpc.todo.counts.queryKey({ listId }));
    expect(todoKeys.list(listInput('manual', '', listId))).toEqual(
      trpc.todo.list.infiniteQueryKey(listInput('manual', '', listId)),
    );
    expect(todoKeys.allCounts).toEqual(trpc.todo.counts.pathKey());
    expect(todoKeys.listsAll).toEqual(trpc.list.all.queryKey());
    expect(todoKeys.allMembers).toEqual(trpc.list.members.pathKey());
    expect(writeKey('create')).toEqual(trpc.todo.create.mutationKey());
    expect(writeKey('setAllCompleted')).toEqual(trpc.todo.setAllCompleted.mutationKey());
  });

  test('listInputOf reads the input back from a list key, and nothing from another key', () => {
    const input = listInput('manual', '');
    expect(listInputOf(todoKeys.list(input))).toEqual(input);
    expect(listInputOf(todoKeys.counts())).toBeUndefined();
    expect(listInputOf(trpc.todo.list.queryKey({ limit: 5 }))).toBeUndefined();
  });
});

describe('listInput', () => {
  test('the order, a page, and the search only when there is one (trimmed)', () => {
    expect(listInput('manual', '')).toEqual({ order: 'manual', limit: 50 });
    expect(listInput('due', '  milk ')).toEqual({ order: 'due', limit: 50, search: 'milk' });
    expect(listInput('priority', '   ')).toEqual({ order: 'priority', limit: 50 });
    expect(listInput('manual', '', 'l1')).toEqual({ order: 'manual', limit: 50, listId: 'l1' });
  });
});
