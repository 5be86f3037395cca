import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compilePipelines } from '../compile/index.js';
import { defaultConfig } from '../content/config.js';
import { ruleFiles, ruleIdOf } from '../content/rules.js';
import { loadConfig } from './config.js';
import { loadDetections, loadExamples, validateRules } from './rules.js';

const templates = compilePipelines('pipelines');
const RULE = 'an1608-aws-access-key-for-other-user';
/** Every rule but the broken one stays valid. */
const OTHERS_VALID = ruleFiles('detections').length - 1;

/** A copy of detections/ with one rule file rewritten. */
function withRule(edit: (text: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), 'fd-validate-'));
  cpSync('detections', dir, { recursive: true });
  const file = join(dir, 'an1608', `${RULE}.yaml`);
  writeFileSync(file, edit(readFileSync(file, 'utf8')));
  return dir;
}

describe('validateRules', () => {
  it('passes the AN1608 pack against the fields the pipelines map', () => {
    const result = validateRules({ config: loadConfig('firedrill.config.yaml'), templates });
    expect(result.errors.map((e) => e.message)).toEqual([]);
    expect(result.valid).toBeGreaterThanOrEqual(16);
  });

  it('names a field no pipeline maps, with file and line', () => {
    const dir = withRule((t) =>
      t.replace('firedrill.target_is_actor: false', 'firedrill.target_is_actr: false'),
    );
    const { errors, valid } = validateRules({ dir, config: defaultConfig(), templates });
    expect(errors.map((e) => e.message)).toEqual([
      `${dir}/an1608/${RULE}.yaml:32: where.firedrill.target_is_actr: 'firedrill.target_is_actr' is not mapped in logs-aws.cloudtrail-default (see docs/fields.md)`,
    ]);
    expect(valid).toBe(OTHERS_VALID);
  });

  it('rejects fields inside the non-indexed flattened copies, and index patterns no template covers', () => {
    const dir = withRule((t) =>
      t
        .replace(
          'firedrill.target_is_actor: false',
          'aws.cloudtrail.flattened.request_parameters.userName: bob',
        )
        .replace('index: [logs-aws.cloudtrail-*]', 'index: [logs-aws.cloudtrail-*, logs-okta-*]'),
    );
    const messages = validateRules({ dir, config: defaultConfig(), templates }).errors.map((e) => e.message);
    expect(messages).toEqual([
      expect.stringMatching(
        /:32: where\.aws\.cloudtrail\.flattened\.request_parameters\.userName: .* is not mapped/,
      ),
      `${dir}/an1608/${RULE}.yaml:23: index.1: no index template of the pipelines covers 'logs-okta-*'`,
    ]);
  });

  it('reports schema problems and orphan example files together', () => {
    const dir = withRule((t) => t.replace('severity: medium', 'severity: severe'));
    writeFileSync(join(dir, 'an1608', 'examples', 'no-such-rule.yaml'), 'positive: []\nnegative: []\n');
    const messages = validateRules({ dir, config: defaultConfig(), templates }).errors.map((e) => e.message);
    expect(messages).toEqual([
      expect.stringContaining(`${RULE}.yaml:13: severity: must be equal to one of the allowed values`),
      `${dir}/an1608/examples/no-such-rule.yaml:1: positive: must NOT have fewer than 1 items`,
      `${dir}/an1608/examples/no-such-rule.yaml:2: negative: must NOT have fewer than 1 items`,
    ]);
  });

  it('names a rule whose id is not its file name, and an id used twice', () => {
    const dir = withRule((t) => t.replace(`id: ${RULE}`, 'id: an1608-other'));
    mkdirSync(join(dir, 'pack2'));
    cpSync(
      join(dir, 'an1608', 'an1608-aws-account-created-by-root.yaml'),
      join(dir, 'pack2', 'an1608-aws-account-created-by-root.yaml'),
    );
    const expected = [
      `${dir}/an1608/${RULE}.yaml:1: id: must match the file name (${RULE}.yaml)`,
      `${dir}/pack2/an1608-aws-account-created-by-root.yaml:1: id: duplicate rule id (also in ${dir}/an1608/an1608-aws-account-created-by-root.yaml)`,
    ];
    expect(() => loadDetections(dir)).toThrow(expected.join('\n'));
    const { errors } = validateRules({ dir, config: defaultConfig(), templates });
    expect(errors.map((e) => e.message)).toEqual(expect.arrayContaining(expected));
  });

  it('names example files for a rule that does not exist', () => {
    const dir = withRule((t) => t);
    cpSync(
      join(dir, 'an1608', 'examples', `${RULE}.yaml`),
      join(dir, 'an1608', 'examples', 'no-such-rule.yaml'),
    );
    expect(() => loadExamples(dir, new Set(ruleFiles(dir).map(ruleIdOf)))).toThrow(
      `${dir}/an1608/examples/no-such-rule.yaml: no rule 'no-such-rule' for these examples (the file name is the rule id)`,
    );
  });
});
