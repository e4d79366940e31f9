/**
 * One process per embedded database folder. PGlite runs PostgreSQL inside the process that opens
 * the folder, with nothing shared between processes: a second one on the same files acknowledges
 * writes that the first never sees, and either may overwrite the other's pages.
 *
 * The rule: a folder is held by the process named in the newest lock file beside it
 * (`<folder>.lock/<n>`) for as long as that process lives and has not let it go. Taking the lock
 * means creating the next number, exclusively; so of two processes that both find a lock left
 * by a crashed one, exactly one creates its successor, and the other then finds that one alive.
 *
 * Why not a lock file kept fresh by a timer (proper-lockfile and its kind): PGlite runs its
 * statements on the event loop, so a long migration would look like a dead holder and be taken
 * over; and after a crash the next start would wait for the lock to age. A process's life is
 * what matters, so that is what is asked (`kill(pid, 0)`, and on Linux the process's start time,
 * so that a pid used again by another process does not count).
 */
import {
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';

/** Who holds a lock: a process, and on Linux when it started (a pid alone may be reused). */
type Holder = { pid: number; started: string | null; released?: true };

/** Thrown when another process holds the folder; its message is one sentence for a person. */
export class DataDirInUseError extends Error {
  override name = 'DataDirInUseError';
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      pid === process.pid
        ? `The embedded database ${dataDir} is already open in this process (pid ${pid}).`
        : `The embedded database ${dataDir} is in use by another process (pid ${pid}); stop it first, or set PGLITE_DIR to another folder.`,
    );
  }
}

export type DataDirLock = {
  /** Lets the folder go; the next process takes it at once. Safe to call twice. */
  release(): void;
};

/** The start time of `pid` in clock ticks since boot (/proc/<pid>/stat, field 22); null off Linux or if gone. */
function startTimeOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from its closing one.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/** Whether `holder` still holds its lock: it has not released it and its process lives. */
function holds(holder: Holder): boolean {
  if (holder.released) return false;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    // EPERM: the process lives, under another user.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const started = startTimeOf(holder.pid);
  return holder.started === null || started === null || started === holder.started;
}

function readHolder(file: string): Holder | undefined {
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as Partial<Holder>;
    if (typeof value.pid !== 'number' || !Number.isInteger(value.pid) || value.pid <= 0) return undefined;
    return {
      pid: value.pid,
      started: typeof value.started === 'string' ? value.started : null,
      ...(value.released === true && { released: true as const }),
    };
  } catch {
    // Gone (a newer holder cleared it) or unreadable: it names no live process.
    return undefined;
  }
}

/** The lock files' numbers, highest first. */
function generations(lockDir: string): number[] {
  return readdirSync(lockDir)
    .filter((name) => /^\d{1,15}$/.test(name))
    .map(Number)
    .sort((a, b) => b - a);
}

/** Writes `holder` in full to a new file beside the locks, for linking or renaming into place. */
function writeTemporary(lockDir: string, holder: Holder): string {
  const file = join(lockDir, `.${process.pid}-${Math.random().toString(36).slice(2)}.tmp`);
  const fd = openSync(file, 'wx', 0o644);
  try {
    writeSync(fd, `${JSON.stringify(holder)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return file;
}

/** Folders this process holds: a second PGlite here on the same files would do the same harm. */
const heldHere = new Set<string>();

/**
 * Takes `dataDir` for this process, or throws DataDirInUseError naming the process that holds it.
 * A lock left by a process that no longer runs (killed, crashed) is taken over at once.
 *
 * @example
 * const lock = lockDataDir('/srv/todo/.data/pglite');
 * try { … } finally { lock.release(); }
 */
export function lockDataDir(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const folder = realpathSync(dataDir);
  if (heldHere.has(folder)) throw new DataDirInUseError(folder, process.pid);
  const lockDir = `${folder}.lock`;
  mkdirSync(lockDir, { recursive: true });
  const me: Holder = { pid: process.pid, started: startTimeOf(process.pid) };
  const temporary = writeTemporary(lockDir, me);
  try {
    // Each pass either takes the lock, finds it held, or lost a race to a process that did
    // either; a handful of passes is plenty, however many processes start at once.
    for (let attempt = 0; attempt < 50; attempt++) {
      const [newest] = generations(lockDir);
      if (newest !== undefined) {
        const holder = readHolder(join(lockDir, String(newest)));
        if (holder && holder.pid !== process.pid && holds(holder)) {
          throw new DataDirInUseError(folder, holder.pid);
        }
      }
      const mine = (newest ?? 0) + 1;
      try {
        linkSync(temporary, join(lockDir, String(mine)));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw error;
      }
      // A process that read the folder before a newer holder cleared old numbers may create one
      // of them again: a higher number means someone else holds it, so this one steps back.
      if (generations(lockDir)[0] !== mine) {
        rmSync(join(lockDir, String(mine)), { force: true });
        continue;
      }
      // Older numbers are spent; the newest one stays even when released (see release).
      for (const old of generations(lockDir))
        if (old < mine) rmSync(join(lockDir, String(old)), { force: true });
      heldHere.add(folder);
      return holding(folder, join(lockDir, String(mine)));
    }
    throw new Error(`could not lock ${folder}: too many processes are starting on it at once`);
  } finally {
    rmSync(temporary, { force: true });
  }
}

function holding(folder: string, file: string): DataDirLock {
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      heldHere.delete(folder);
      // Marked released in place (a rename replaces it whole), not deleted: the newest number
      // must stay, or a process with an older view could create it again beside a newer one.
      try {
        const marker = writeTemporary(join(file, '..'), { pid: process.pid, started: null, released: true });
        renameSync(marker, file);
      } catch {
        // The folder went away (a temporary one, removed): nobody is left to lock it.
        try {
          unlinkSync(file);
        } catch {}
      }
    },
  };
}
