import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readExamples, ruleFiles } from './rules.js';

function detections(examples: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'fd-examples-'));
  mkdirSync(join(dir, 'pack', 'examples'), { recursive: true });
  mkdirSync(join(dir, 'attack'));
  writeFileSync(join(dir, 'attack', 'techniques.yaml'), 'tactics: {}\n');
  writeFileSync(join(dir, 'pack', 'r1.yaml'), 'id: r1\n');
  for (const [name, text] of Object.entries(examples))
    writeFileSync(join(dir, 'pack', 'examples', name), text);
  return dir;
}

const CASE = '  - name: a case\n    events:\n      - { eventName: CreateUser }\n';

describe('rule and example files', () => {
  it('finds rule files in packs, not in attack/ or examples/', () => {
    const dir = detections({ 'r1.yaml': `positive:\n${CASE}negative:\n${CASE}` });
    expect(ruleFiles(dir)).toEqual([join(dir, 'pack', 'r1.yaml')]);
  });

  it('reads example cases, each for the rule its file name names', () => {
    const dir = detections({
      'r1.yaml': `positive:\n${CASE}    expect: { alerts: 1, fields: { user.target.name: x } }\nnegative:\n${CASE}`,
    });
    const [examples] = readExamples(dir).values;
    expect(examples).toMatchObject({ ruleId: 'r1', positive: [{ name: 'a case', expect: { alerts: 1 } }] });
  });

  it('reports every malformed case of every file, keeping the files that are fine', () => {
    const dir = detections({
      'r2.yaml': `positive:\n${CASE}negative:\n${CASE}`,
      'r1.yaml': `positive:\n${CASE}negative:\n  - name: no events\n    expect: { alerts: 1 }\n`,
    });
    const { values, errors } = readExamples(dir);
    expect(values.map((e) => e.ruleId)).toEqual(['r2']);
    expect(errors.map((e) => e.message)).toEqual([
      `${dir}/pack/examples/r1.yaml:6: negative.0.events: is required`,
      `${dir}/pack/examples/r1.yaml:7: negative.0.expect: unknown field`,
    ]);
  });
});
