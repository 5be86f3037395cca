import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRecords } from '../ingest/index.js';
import { eventIdOf, painlessCondition, recogniseRecord, SOURCE_IDS, SOURCES } from './index.js';

describe('the log-source registry', () => {
  it('has one pipeline folder per source, and no source without one', () => {
    const folders = readdirSync('pipelines', { withFileTypes: true })
      .filter((d) => d.isDirectory() && !['router', 'scripts', 'templates'].includes(d.name))
      .map((d) => d.name);
    expect(folders.sort()).toEqual([...SOURCE_IDS].sort());
  });

  it.each(SOURCE_IDS)(
    'recognises every well-formed %s sample as that source, and finds its event id',
    async (id) => {
      const dir = join('pipelines', id, 'samples');
      let recognised = 0;
      for (const file of readdirSync(dir).filter((f) => !f.endsWith('.expected.json') && f !== 'config.yaml'))
        for await (const record of readRecords(join(dir, file))) {
          const source = recogniseRecord(record.value);
          // Samples also hold malformed and foreign records on purpose: only those recognised count.
          if (source?.id !== id) continue;
          recognised++;
          expect(eventIdOf(source, record.value), `${file}:${record.line}`).toBeDefined();
        }
      expect(recognised).toBeGreaterThan(2);
    },
  );

  it('recognises nothing in a record of another shape', () => {
    for (const record of [{}, { eventSource: 'iam.amazonaws.com' }, { protoPayload: 'text' }, [1], 'x'])
      expect(recogniseRecord(record)).toBeUndefined();
  });

  it('compiles recognisers to Painless that guards every nested step', () => {
    expect(painlessCondition({ present: 'a.b.c' })).toBe(
      'ctx.json.a instanceof Map && ctx.json.a.b instanceof Map && ctx.json.a.b.c != null',
    );
    expect(painlessCondition({ any: [{ equals: ['k', "it's"] }, { object: 'p' }] })).toBe(
      "ctx.json.k == 'it\\'s' || ctx.json.p instanceof Map",
    );
    expect(
      painlessCondition({ all: [{ present: 'x' }, { any: [{ present: 'y' }, { present: 'z' }] }] }),
    ).toBe('ctx.json.x != null && (ctx.json.y != null || ctx.json.z != null)');
    for (const source of SOURCES) expect(painlessCondition(source.recognise)).not.toContain('undefined');
  });
});
