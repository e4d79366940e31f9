export * from './auth.ts';
export * from './auth-mail.ts';
export * from './auth-routes.ts';
export { httpContext } from './context.ts';
export { type AppRouter, appRouter, createCaller, type RouterInputs, type RouterOutputs } from './root.ts';
export {
  type Context,
  createInnerContext,
  DATABASE_UNAVAILABLE_MESSAGE,
  type Live,
  type Meta,
  type StreamSlot,
} from './trpc.ts';
