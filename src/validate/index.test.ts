import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileAll, compileContent } from '../compile/index.js';
import { defaultConfig } from '../content/config.js';
import { loadContent } from './index.js';

describe('loadContent', () => {
  it('reads what compileAll reads: the same content compiles to the same resources', () => {
    const config = defaultConfig();
    expect(compileContent(loadContent('.'), { config, deployment: 't1' })).toEqual(
      compileAll({ config, deployment: 't1' }),
    );
  });

  it('also checks what schemas cannot, every problem at once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-content-'));
    for (const folder of ['pipelines', 'detections']) cpSync(folder, join(dir, folder), { recursive: true });
    const router = join(dir, 'pipelines', 'router', 'pipeline.yaml');
    writeFileSync(
      router,
      readFileSync(router, 'utf8').replace('tag: reject-digest-file', 'tag: keep-raw-text'),
    );
    const rule = join(dir, 'detections', 'an1608', 'an1608-aws-account-created-by-root.yaml');
    writeFileSync(rule, readFileSync(rule, 'utf8').replace(/^id: .*$/m, 'id: an1608-renamed'));
    expect(() => loadContent(dir)).toThrow(
      new RegExp(
        [
          `${router}:\\d+: processors\\.\\d+\\.fail\\.tag: duplicate tag 'keep-raw-text'.*`,
          `${rule}:1: id: must match the file name \\(an1608-aws-account-created-by-root\\.yaml\\)`,
        ].join('\n'),
      ),
    );
  });
});
