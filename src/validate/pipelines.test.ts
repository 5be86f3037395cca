import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkPipelines, loadPipelineContent, PORTABLE_PROCESSORS } from './pipelines.js';

/** A scratch copy of the real pipelines folder with one file rewritten. */
function withEdit(file: string, edit: (text: string) => string): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'fd-pipelines-')), 'pipelines');
  cpSync('pipelines', dir, { recursive: true });
  writeFileSync(join(dir, file), edit(readFileSync(join(dir, file), 'utf8')));
  return dir;
}

function problems(dir: string, processors = PORTABLE_PROCESSORS): string[] {
  return checkPipelines(dir, processors).errors.map((e) => e.message.replace(`${dir}/`, ''));
}

describe('pipeline content', () => {
  it('accepts the shipped pipelines and templates', () => {
    const content = loadPipelineContent('pipelines');
    expect(content.pipelines.map((p) => p.value.id).sort()).toEqual([
      'firedrill-aws-cloudtrail',
      'firedrill-azure-audit',
      'firedrill-gcp-audit',
      'firedrill-router',
    ]);
    expect(content.templates.filter((t) => t.value.kind === 'index_template')).toHaveLength(5);
  });

  it('names file, line and field of a processor without a tag', () => {
    const dir = withEdit('router/pipeline.yaml', (t) => t.replace('      tag: keep-raw-text\n', ''));
    expect(problems(dir)).toEqual(['router/pipeline.yaml:7: processors.0.rename.tag: is required']);
  });

  it('rejects processors the distribution lacks, duplicate tags, missing script files and unknown pipelines', () => {
    const dir = withEdit('router/pipeline.yaml', (t) =>
      t
        .replace('  - json:\n      tag: parse-message', '  - copy:\n      tag: parse-message')
        .replace('tag: reject-digest-file', 'tag: keep-raw-text')
        .replace('  - route_by_source:\n', '  - pipeline:\n      name: firedrill-gcp\n'),
    );
    const aws = withEdit('aws-cloudtrail/pipeline.yaml', (t) =>
      t.replace('scripts/categorise.painless', 'scripts/missing.painless'),
    );
    expect(problems(dir)).toEqual([
      expect.stringMatching(
        /^router\/pipeline.yaml:\d+: processors.1.copy: unknown processor type 'copy' for this distribution$/,
      ),
      expect.stringMatching(
        /^router\/pipeline.yaml:\d+: processors.3.fail.tag: duplicate tag 'keep-raw-text'/,
      ),
      expect.stringMatching(
        /^router\/pipeline.yaml:\d+: processors.\d+.pipeline.name: no pipeline 'firedrill-gcp' in /,
      ),
    ]);
    expect(problems(dir, new Set([...PORTABLE_PROCESSORS, 'copy']))).toHaveLength(2);
    expect(problems(aws)).toEqual([
      expect.stringMatching(
        /^aws-cloudtrail\/pipeline.yaml:\d+: processors.\d+.script.source_files.1: no such file .*missing.painless$/,
      ),
    ]);
  });

  it('checks index templates: priority above the built-in logs template, known component templates', () => {
    const dir = withEdit('templates/index-gcp-audit.yaml', (t) =>
      t.replace('priority: 500', 'priority: 100').replace('firedrill-gcp-audit]', 'firedrill-gcp]'),
    );
    expect(problems(dir)).toEqual(['templates/index-gcp-audit.yaml:6: body.priority: must be >= 101']);
    const components = withEdit('templates/index-gcp-audit.yaml', (t) =>
      t.replace('firedrill-gcp-audit]', 'firedrill-gcp]'),
    );
    expect(problems(components)).toEqual([
      "templates/index-gcp-audit.yaml:7: body.composed_of.1: no component template 'firedrill-gcp'",
    ]);
  });

  it('reports a YAML syntax error with its line', () => {
    const dir = withEdit('azure-audit/pipeline.yaml', (t) =>
      t.replace('id: firedrill-azure-audit', 'id: [firedrill'),
    );
    expect(problems(dir)).toEqual([expect.stringMatching(/^azure-audit\/pipeline.yaml:4: Flow sequence/)]);
  });
});
