import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** What the CLI remembers: one session token per server origin. */
export type StoredConfig = { servers: Record<string, { token: string; email: string }> };

/** `$XDG_CONFIG_HOME/todo/config.json`, else `~/.config/todo/config.json`. */
export function configPath(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'todo', 'config.json');
}

export async function readConfig(path: string): Promise<StoredConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { servers: {} };
    throw error;
  }
  const value: unknown = JSON.parse(text);
  const servers = (value as Partial<StoredConfig> | null)?.servers;
  return { servers: servers && typeof servers === 'object' ? servers : {} };
}

/**
 * Writes the file readable by its owner only (0600, in a 0700 directory): it holds session
 * tokens. Written to a temporary file first and renamed, so a crash never leaves half a file.
 */
export async function writeConfig(path: string, config: StoredConfig): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, path);
}

/** The stored session token of `url`, if any. */
export async function storedToken(env: NodeJS.ProcessEnv, url: string): Promise<string | undefined> {
  return (await readConfig(configPath(env))).servers[url]?.token;
}

/** Keeps the session token of `url` for the commands that follow; returns the one it replaces. */
export async function storeToken(
  env: NodeJS.ProcessEnv,
  url: string,
  token: string,
  email: string,
): Promise<string | undefined> {
  const path = configPath(env);
  const config = await readConfig(path);
  const previous = config.servers[url]?.token;
  config.servers[url] = { token, email };
  await writeConfig(path, config);
  return previous;
}

/**
 * Forgets the stored token of `url`; given `token`, only if it is still the stored one. (A
 * `todo watch` that started before a new `todo login` must not forget the new session.)
 */
export async function forgetToken(env: NodeJS.ProcessEnv, url: string, token?: string): Promise<void> {
  const path = configPath(env);
  const config = await readConfig(path);
  const stored = config.servers[url];
  if (!stored || (token !== undefined && stored.token !== token)) return;
  delete config.servers[url];
  await writeConfig(path, config);
}
