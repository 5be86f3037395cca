import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { runCli } from '../cli/fixtures/run.js';

/** A content folder holding a copy of the real pipelines with one edit. */
function contentWith(file: string, edit: (text: string) => string): string {
  const content = mkdtempSync(join(tmpdir(), 'fd-validate-'));
  cpSync('pipelines', join(content, 'pipelines'), { recursive: true });
  const path = join(content, 'pipelines', file);
  writeFileSync(path, edit(readFileSync(path, 'utf8')));
  return content;
}

async function validate(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { code, out, err } = await runCli('validate', ...args);
  return { code, stdout: out, stderr: err };
}

afterEach(() => vi.restoreAllMocks());

describe('firedrill validate (pipelines)', () => {
  it('reports a Painless error the target finds, at the processor line, with exit 1', async () => {
    const content = contentWith('azure-audit/pipeline.yaml', (t) =>
      t.replace('ctx._id = String.valueOf(ctx.event.id);', 'ctx._id = ;'),
    );
    const tagLine =
      readFileSync(join(content, 'pipelines/azure-audit/pipeline.yaml'), 'utf8')
        .split('\n')
        .findIndex((l) => l.includes('tag: map-fields')) + 1;
    const result = await validate(['--content', content, '--target', inject('clusterUrl')]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      `${join(content, 'pipelines/azure-audit/pipeline.yaml')}:${tagLine}: processor map-fields: opensearch`,
    );
    expect(result.stdout).toContain('compile error');
  });

  it('checks processors against what the target ships', async () => {
    const content = contentWith('router/pipeline.yaml', (t) => t.replace('  - json:\n', '  - copy:\n'));
    expect((await validate(['--content', content])).stdout).toContain("unknown processor type 'copy'");
    // OpenSearch has `copy`: against it, the only complaint left is that the processor's options are wrong.
    const against = await validate(['--content', content, '--target', inject('clusterUrl')]);
    expect(against.stdout).not.toContain("unknown processor type 'copy'");
    expect(against.code).toBe(1);
  });
});
