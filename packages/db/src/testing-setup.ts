/**
 * Vitest globalSetup for every package whose tests open PGlite through `createTestDatabase`:
 * makes the migrated snapshot once, before any test file starts.
 *
 * @example
 * // vitest.config.ts
 * test: { globalSetup: [fileURLToPath(import.meta.resolve('@todo/db/testing-setup'))] }
 */
import { makePgliteSnapshot } from './testing-snapshot.ts';

export default async function setup(): Promise<void> {
  await makePgliteSnapshot();
}
