// live-link.ts imports @trpc/client as a separate module instance ('?live', a Vite module id
// with a query): the same exports and types.
declare module '@trpc/client?live' {
  export * from '@trpc/client';
}
