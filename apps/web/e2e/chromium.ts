// Which Chromium the browser tests drive. Pure (the environment and the file check are passed
// in) so that a unit test can cover every case without a browser.

/** Debian's `chromium` package, which `.ci/run` installs. */
export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

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
