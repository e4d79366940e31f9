// Which Node.js runs the project: the README's Quick start names the oldest, as the `engines` of
// our own packages do, and docs/operations.md names each installed dependency whose `engines`
// asks for more. This holds both to package.json and the lockfile, so that an upgrade which
// raises a dependency's floor cannot pass unsaid.
import { readFileSync } from 'node:fs';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const root = new URL('../../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

/** The oldest Node.js the README names. */
const OLDEST = '20.19.0';

/** The packages of a pnpm lockfile whose `engines.node` does not admit `version`, by name. */
function needingMoreThan(version: string, lockfile: string): string[] {
  const names = new Set<string>();
  let name: string | undefined;
  for (const line of lockfile.split('\n')) {
    // `  kysely@0.29.9:` or `  '@types/node@22.19.1':`, in the packages section.
    const entry = /^ {2}'?((?:@[^/'\s]+\/)?[^@'\s]+)@[^'\s]+'?:$/.exec(line);
    if (entry) name = entry[1];
    // `engines: {node: '>=22'}`, or unquoted: `engines: {node: ^22.18.0 || >=24.11.0}`.
    const engines = /^ {4}engines: \{.*\bnode: (?:'([^']+)'|([^,}]+))/.exec(line);
    const range = engines?.[1] ?? engines?.[2];
    if (range && name && !semver.satisfies(version, range)) names.add(name);
  }
  return [...names].sort();
}

describe('the supported Node.js', () => {
  const readme = read('README.md');
  const quickStart = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('```sh'));

  it('is what our own packages say in their engines', () => {
    expect(quickStart).toContain(`Node.js ${OLDEST.replace(/\.0$/, '')}+`);
    for (const path of ['package.json', 'packages/client/package.json']) {
      const { engines } = JSON.parse(read(path)) as { engines?: { node?: string } };
      expect({ path, node: engines?.node }).toEqual({ path, node: `>=${OLDEST.replace(/\.0$/, '')}` });
    }
  });

  it('names every dependency whose engines ask for a newer one, and only those', () => {
    const newer = needingMoreThan(OLDEST, read('pnpm-lock.yaml'));
    const operations = read('docs/operations.md');
    const section = operations.slice(
      operations.indexOf('### Supported Node.js'),
      operations.indexOf('## The database'),
    );
    const start = section.indexOf('\n- ');
    const listed = section.slice(start, section.indexOf('\n\n', start));
    const named = [...listed.matchAll(/`([@\w./-]+)`/g)].map(([, name]) => name).sort();
    expect(newer.length).toBeGreaterThan(0);
    expect(named).toEqual(newer);
  });
});
