import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadTestcontainers, TESTCONTAINERS_PACKAGES } from './load.js';

describe('loadTestcontainers', () => {
  it('says in one line which optional packages to install when they are absent', async () => {
    const missing = Object.assign(
      new Error(
        "Cannot find package 'testcontainers' imported from /x/src/providers/testcontainers/docker.js",
      ),
      { code: 'ERR_MODULE_NOT_FOUND' },
    );
    await expect(loadTestcontainers(() => Promise.reject(missing))).rejects.toThrow(
      /^the testcontainers provider needs the optional packages testcontainers, @testcontainers\/opensearch, @testcontainers\/elasticsearch: npm install /,
    );
  });

  it('passes other errors through, and loads the provider when the packages are there', async () => {
    const other = new Error('boom');
    await expect(loadTestcontainers(() => Promise.reject(other))).rejects.toBe(other);
    expect(typeof (await loadTestcontainers()).TestcontainersCluster).toBe('function');
  }, 60_000); // the Docker client stack takes seconds to load
});

describe('the Docker-only packages are optional', () => {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<
    string,
    Record<string, string>
  >;

  it('are optionalDependencies, and `npm ci` builds the dist/ that bin/firedrill.js runs', () => {
    for (const name of TESTCONTAINERS_PACKAGES) {
      expect(pkg.optionalDependencies?.[name], name).toBeDefined();
      expect(pkg.dependencies?.[name], name).toBeUndefined();
    }
    expect(pkg.scripts?.prepare).toBe('npm run build');
    expect(readFileSync(join(root, 'bin', 'firedrill.js'), 'utf8')).toContain(
      "import('../dist/cli/main.js')",
    );
  });

  it('are imported only by the testcontainers provider, and everything else reaches it through loadTestcontainers', () => {
    const offenders: string[] = [];
    const visit = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) {
          if (path !== join(root, 'src', 'providers', 'testcontainers')) visit(path);
        } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
          const text = readFileSync(path, 'utf8');
          if (
            /from '(@testcontainers\/[^']+|testcontainers)'|from '[^']*testcontainers\/index\.js'/.test(text)
          )
            offenders.push(relative(root, path));
        }
      }
    };
    visit(join(root, 'src'));
    // `export type` is erased: it loads nothing.
    expect(offenders.filter((f) => f !== 'src/index.ts')).toEqual([]);
    expect(readFileSync(join(root, 'src', 'index.ts'), 'utf8')).not.toMatch(
      /^export \{[^}]*\} from '\.\/providers\/testcontainers\/index\.js'/m,
    );
  });
});
