import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { DataDirInUseError, lockDataDir } from './data-dir-lock.ts';

const MODULE = fileURLToPath(new URL('./data-dir-lock.ts', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'todo-lock-'));
const children: ChildProcess[] = [];

/**
 * A process that takes the lock of `dir` and says `held <pid>` (then holds it until killed), or
 * says the refusal's message and exits 1.
 */
function locker(dir: string) {
  const script = `
    import { lockDataDir } from ${JSON.stringify(MODULE)};
    try { lockDataDir(${JSON.stringify(dir)}); console.log('held ' + process.pid); setInterval(() => {}, 60_000); }
    catch (error) { console.log(error.message); process.exit(1); }`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  const said = new Promise<string>((resolve) => {
    const check = () => (output.includes('\n') ? resolve(output.trim()) : undefined);
    child.stdout.on('data', check);
    child.once('close', () => resolve(output.trim()));
  });
  return { child, said };
}

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

describe('lockDataDir: one process per embedded database folder', () => {
  test('a second process is refused with one sentence naming the folder and the holder’s pid', async () => {
    const dir = join(root, 'held');
    const first = locker(dir);
    expect(await first.said).toBe(`held ${first.child.pid}`);
    const second = locker(dir);
    expect(await second.said).toBe(
      `The embedded database ${dir} is in use by another process (pid ${first.child.pid}); stop it first, or set PGLITE_DIR to another folder.`,
    );
    const [code] = await once(second.child, 'close');
    expect(code).toBe(1);
  });

  test('a lock left by a killed process (SIGKILL) does not block the next one', async () => {
    const dir = join(root, 'crashed');
    const first = locker(dir);
    expect(await first.said).toMatch(/^held /);
    first.child.kill('SIGKILL');
    await once(first.child, 'close');
    const next = locker(dir);
    expect(await next.said).toBe(`held ${next.child.pid}`);
  });

  test('of several processes starting at once on a crashed one’s lock, exactly one takes it', async () => {
    const dir = join(root, 'race');
    const crashed = locker(dir);
    await crashed.said;
    crashed.child.kill('SIGKILL');
    await once(crashed.child, 'close');
    const racers = Array.from({ length: 6 }, () => locker(dir));
    const said = await Promise.all(racers.map((racer) => racer.said));
    const winners = said.filter((line) => line.startsWith('held '));
    expect(winners).toHaveLength(1);
    const winnerPid = Number(winners[0]?.slice(5));
    for (const line of said.filter((line) => !line.startsWith('held '))) {
      expect(line).toContain(`in use by another process (pid ${winnerPid})`);
    }
    // Spent numbers are cleared: one lock file is left, the winner's.
    expect(readdirSync(`${dir}.lock`).filter((name) => !name.startsWith('.'))).toHaveLength(1);
  });

  test('released, the folder is free at once; within one process a second open is refused', () => {
    const dir = join(root, 'released');
    const lock = lockDataDir(dir);
    expect(() => lockDataDir(dir)).toThrow(DataDirInUseError);
    expect(() => lockDataDir(dir)).toThrow(/already open in this process/);
    lock.release();
    lock.release();
    lockDataDir(dir).release();
  });

  test('a lock file that names no process, or a pid now used by an unrelated process, is taken over', () => {
    const dir = join(root, 'garbage');
    lockDataDir(dir).release();
    writeFileSync(join(`${dir}.lock`, '7'), 'not json');
    lockDataDir(dir).release();
    // pid 1 lives, but did not start when this lock says it did.
    writeFileSync(join(`${dir}.lock`, '9'), JSON.stringify({ pid: 1, started: '1' }));
    const lock = lockDataDir(dir);
    lock.release();
  });
});
