import type { AppRouter, RouterOutputs } from '@todo/client';
import { createTRPCContext } from '@trpc/tanstack-react-query';

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

export type Todo = RouterOutputs['todo']['list']['items'][number];
export type TodoPage = RouterOutputs['todo']['list'];
export type TodoCounts = RouterOutputs['todo']['counts'];
