/** Placeholder replaced by the Neon WebSocket proxy (see issue 2). */
export async function useLocalNeonProxy(): Promise<void> {
  throw new Error('the local Neon proxy is not written yet');
}
