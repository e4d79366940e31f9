// pnpm-workspace.yaml promises that every dependency version lives there once. This keeps the
// promise: a version pinned in any workspace package.json fails here, naming the package.
// (It sits in this package for want of a root test home; it reads the whole workspace.)
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const workspaceYaml = readFileSync(join(ROOT, 'pnpm-workspace.yaml'), 'utf8');

/** The lines indented under a top-level `key:` of pnpm-workspace.yaml. */
const section = (key: string) => {
  const lines = workspaceYaml.split('\n');
  const start = lines.indexOf(`${key}:`);
  if (start === -1) throw new Error(`pnpm-workspace.yaml has no ${key}:`);
  const end = lines.findIndex((line, index) => index > start && /^\S/.test(line));
  return lines.slice(start + 1, end === -1 ? undefined : end).filter((line) => /^\s+\S/.test(line));
};

const catalog = new Map(
  section('catalog').map((line) => {
    const [, name = '', version = ''] = /^\s*"?([^"]+?)"?:\s*(\S+)/.exec(line) ?? [];
    return [name, version];
  }),
);

/** Every package directory the `packages:` globs (`dir` or `dir/*`) name. */
const packageDirs = section('packages').flatMap((line) => {
  const pattern = line.trim().replace(/^- /, '');
  const dirs = pattern.endsWith('/*')
    ? readdirSync(join(ROOT, pattern.slice(0, -2)), { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => `${pattern.slice(0, -2)}/${entry.name}`)
    : [pattern];
  return dirs.filter((dir) => existsSync(join(ROOT, dir, 'package.json')));
});

type Manifest = Record<string, unknown> & { name?: string };
const dependencyFields = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'];

test('every workspace package takes its versions from the catalog or the workspace', () => {
  expect(packageDirs).toEqual(
    expect.arrayContaining(['apps/server', 'apps/web', 'packages/client', 'bench']),
  );
  const offending: string[] = [];
  for (const dir of ['.', ...packageDirs]) {
    const manifest = JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as Manifest;
    for (const field of dependencyFields) {
      const dependencies = (manifest[field] ?? {}) as Record<string, string>;
      for (const [name, version] of Object.entries(dependencies)) {
        // A published package's peers are a range (^x.y.z), so a consumer's own copy satisfies them;
        // the range still starts at the catalog's version.
        const fine =
          version === 'workspace:*' ||
          (version === 'catalog:' && catalog.has(name)) ||
          (field === 'peerDependencies' && version === `^${catalog.get(name)}`);
        if (!fine) offending.push(`${dir}/package.json ${field}: ${name} ${version}`);
      }
    }
  }
  expect(offending).toEqual([]);
});
