import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, BUILT, type CliServer, startCliServer } from './testing.ts';

describe('todo --help, usage, --version and the bin', () => {
  let cli: CliServer;
  beforeAll(async () => {
    cli = await startCliServer();
  });
  afterAll(async () => {
    await cli?.close();
  });

  it('explains itself: --help overall and per command', async () => {
    const { todo } = cli;
    const help = await todo(['--help']);
    expect(help.code).toBe(0);
    for (const command of [
      'signup',
      'login',
      'logout',
      'whoami',
      'passwd',
      'add',
      'ls',
      'show',
      'edit',
      'mv',
      'done',
      'reopen',
      'rm',
      'clear',
      'export',
      'import',
      'watch',
    ]) {
      expect(help.stdout).toContain(`todo ${command}`);
    }
    const done = await todo(['done', '--help']);
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(/^Usage: todo done <id>/);
    expect(done.stdout).toContain('--url');
    const nothing = await todo([]);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('Usage:');
  });

  it('--version prints the version of package.json, and the bin entry runs without pnpm', async () => {
    const { todo } = cli;
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(pkg.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(pkg.bin).toEqual({ todo: './bin/todo.js' });
    expect(await todo(['--version'])).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
    // Executed as a program (its #! line), as a linked `todo` on the PATH is.
    expect(statSync(BIN).mode & 0o111).not.toBe(0);
    const direct = spawnSync(BIN, ['--version'], { env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8' });
    expect(direct.status).toBe(0);
    expect(direct.stdout).toBe(`${pkg.version}\n`);
    // What these tests run is the compiled file, and it needs nothing from node_modules.
    expect(existsSync(BUILT)).toBe(true);
    expect(readFileSync(BUILT, 'utf8')).not.toMatch(/from ["'](?!node:)[^"']+["']/);
  });

  it('the bin runs the build when it is as new as the sources, else (a fresh clone, a changed source) the sources', () => {
    const clone = mkdtempSync(join(tmpdir(), 'todo-cli-unbuilt-'));
    try {
      const app = fileURLToPath(new URL('..', import.meta.url));
      mkdirSync(join(clone, 'bin'));
      copyFileSync(BIN, join(clone, 'bin', 'todo.js'));
      copyFileSync(join(app, 'package.json'), join(clone, 'package.json'));
      symlinkSync(join(app, 'src'), join(clone, 'src'));
      symlinkSync(join(app, 'node_modules'), join(clone, 'node_modules'));
      expect(existsSync(join(clone, 'dist'))).toBe(false);
      const run = spawnSync(process.execPath, [join(clone, 'bin', 'todo.js'), '--help'], {
        encoding: 'utf8',
      });
      expect(run.status).toBe(0);
      expect(run.stdout).toContain('todo signup');

      // A build older than a source is not the code you have: `pnpm todo` runs the sources.
      const fake = join(clone, 'dist', 'todo.js');
      mkdirSync(join(clone, 'dist'));
      writeFileSync(fake, "console.log('the build');\n");
      const runBin = () =>
        spawnSync(process.execPath, [join(clone, 'bin', 'todo.js'), '--version'], { encoding: 'utf8' });
      utimesSync(fake, new Date('2000-01-01'), new Date('2000-01-01'));
      expect(runBin().stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
      const later = new Date(Date.now() + 3_600_000);
      utimesSync(fake, later, later);
      expect(runBin().stdout).toBe('the build\n');
    } finally {
      rmSync(clone, { recursive: true, force: true });
    }
  });
});
