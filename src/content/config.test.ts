import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findConfigFile } from './config.js';

/** repo/.git, repo/firedrill.config.yaml, repo/content/, repo/a/b/ */
function repository(): string {
  const repo = mkdtempSync(join(tmpdir(), 'fd-config-'));
  mkdirSync(join(repo, '.git'));
  mkdirSync(join(repo, 'content'));
  mkdirSync(join(repo, 'a', 'b'), { recursive: true });
  writeFileSync(join(repo, 'firedrill.config.yaml'), '{}\n');
  return repo;
}

describe('findConfigFile: --config, then <content>/firedrill.config.yaml, then up to the repository root', () => {
  it("takes the content directory's own config first", () => {
    const repo = repository();
    writeFileSync(join(repo, 'content', 'firedrill.config.yaml'), '{}\n');
    expect(findConfigFile(join(repo, 'content'), join(repo, 'a', 'b'))).toBe(
      join(repo, 'content', 'firedrill.config.yaml'),
    );
  });

  it('else the nearest one from the working directory up to the repository root', () => {
    const repo = repository();
    expect(findConfigFile(join(repo, 'content'), join(repo, 'a', 'b'))).toBe(
      join(repo, 'firedrill.config.yaml'),
    );
    writeFileSync(join(repo, 'a', 'firedrill.config.yaml'), '{}\n');
    expect(findConfigFile(join(repo, 'content'), join(repo, 'a', 'b'))).toBe(
      join(repo, 'a', 'firedrill.config.yaml'),
    );
  });

  it('never above the repository root, and outside a repository only the working directory', () => {
    const outer = mkdtempSync(join(tmpdir(), 'fd-config-outer-'));
    writeFileSync(join(outer, 'firedrill.config.yaml'), '{}\n');
    const repo = join(outer, 'repo');
    mkdirSync(join(repo, '.git'), { recursive: true });
    expect(findConfigFile(join(repo, 'content'), repo)).toBeUndefined();
    const loose = join(outer, 'loose');
    mkdirSync(loose);
    expect(findConfigFile(join(loose, 'content'), loose)).toBeUndefined();
    expect(findConfigFile(join(outer, 'content'), outer)).toBe('firedrill.config.yaml');
  });
});
