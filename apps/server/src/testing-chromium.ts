// Which Chromium the browser tests and the benchmark's tabs drive, and how they start it. Pure
// (the environment and the file check are passed in) so that a unit test can cover every case
// without a browser. Test code only.

/** Debian's `chromium` package, which `.ci/run` installs. */
export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/**
 * What every test and benchmark Chromium starts with: headless, without the sandbox (which
 * needs privileges a container's root lacks) or a GPU, and without the browser's own traffic
 * (QUIC, updates, sync, first-run pages) beside the app's.
 */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export type ChromiumLookup =
  /** `path` exists. */
  | { found: true; path: string }
  /**
   * Nothing to run. `configured` is true when CHROMIUM_PATH names a missing file: a mistake to
   * report, where a machine without Chromium only skips the browser tests.
   */
  | { found: false; configured: boolean; message: string };

/**
 * `CHROMIUM_PATH` when set, otherwise Debian's /usr/bin/chromium.
 *
 * @example findChromium(process.env, existsSync)
 */
export function findChromium(
  env: Record<string, string | undefined>,
  exists: (path: string) => boolean,
): ChromiumLookup {
  const configured = env.CHROMIUM_PATH;
  if (configured) {
    return exists(configured)
      ? { found: true, path: configured }
      : { found: false, configured: true, message: `CHROMIUM_PATH=${configured}: no such file` };
  }
  return exists(DEFAULT_CHROMIUM)
    ? { found: true, path: DEFAULT_CHROMIUM }
    : {
        found: false,
        configured: false,
        message: `no Chromium: ${DEFAULT_CHROMIUM} not found and CHROMIUM_PATH is not set (apt-get install -y chromium, or CHROMIUM_PATH=/path/to/chromium)`,
      };
}
