import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig, type FiredrillConfig } from '../../content/config.js';
import { readDetections, readExamples, readRules } from '../../content/rules.js';
import { ContentErrors } from '../../errors.js';
import { compileRules, compileRuleSet } from './compile.js';

const approved = (ids: string[]): FiredrillConfig => {
  const config = defaultConfig();
  config.parameters.approved_provisioners = ids;
  return config;
};

const VALID = `id: t-rule
name: Test rule
description: A rule for tests.
author: [tests]
threat: [{ tactic: TA0003, technique: T1136, subtechnique: T1136.003, analytic: AN1608 }]
severity: medium
risk_score: 47
investigation: [look]
index: [logs-aws.cloudtrail-*]
schedule: { interval: 5m, lookback: 10m }
type: query
where:
  event.action: CreateUser
`;

/** A detections dir holding the bundled ATT&CK table and the given rule files. */
function detectionsWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'fd-rules-'));
  cpSync('detections/attack', join(dir, 'attack'), { recursive: true });
  mkdirSync(join(dir, 'pack'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, 'pack', name), text);
  return dir;
}

/** Every problem compiling finds, schema problems (thrown while loading) included. */
function problems(files: Record<string, string>, config = defaultConfig()): string[] {
  try {
    return compileRuleSet(readDetections(detectionsWith(files)), config).flatMap((r) =>
      r.errors.map((e) => e.message),
    );
  } catch (error) {
    if (error instanceof ContentErrors) return error.errors.map((e) => e.message);
    throw error;
  }
}

describe('the AN1608 pack', () => {
  const rules = compileRules(readDetections('detections'), approved(['terraform-provisioner']));

  it('compiles every rule, each of every type, all mapped to AN1608', () => {
    expect(rules.length).toBeGreaterThanOrEqual(16);
    expect(new Set(rules.map((r) => r.type))).toEqual(
      new Set(['query', 'threshold', 'sequence', 'new_terms']),
    );
    for (const rule of rules)
      expect(
        rule.threat.every((t) => t.analytic === 'AN1608'),
        rule.id,
      ).toBe(true);
  });

  it('has positive and negative examples for every rule, and every example file names a rule', () => {
    const { values: examples, errors } = readExamples('detections');
    expect(errors).toEqual([]);
    expect(examples.map((e) => e.ruleId).sort()).toEqual(rules.map((r) => r.id).sort());
    for (const e of examples) {
      expect(e.positive.length, e.file).toBeGreaterThan(0);
      expect(e.negative.length, e.file).toBeGreaterThan(0);
    }
  });

  it('uses documentation-range addresses and example account ids only', () => {
    const text = readRules('detections')
      .map((r) => readFileSync(r.source.file.replace(/([^/]+)$/, 'examples/$1'), 'utf8'))
      .join('\n');
    for (const ip of text.match(/\b\d{1,3}(\.\d{1,3}){3}\b/g) ?? [])
      expect(ip).toMatch(/^(192\.0\.2|198\.51\.100|203\.0\.113)\./);
    const accounts = [...text.matchAll(/(?:arn:aws:\w+::|[aA]ccountId: ")(\d+)/g)].map((m) => m[1]);
    expect(accounts.length).toBeGreaterThan(0);
    for (const account of accounts) expect(['111122223333', '444455556666']).toContain(account);
  });

  it('is deterministic: the same content and config give the same hashes', () => {
    const again = compileRules(readDetections('detections'), approved(['terraform-provisioner']));
    expect(again.map((r) => r.hash)).toEqual(rules.map((r) => r.hash));
    expect(rules[0]!.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('exempts approved provisioners by default, and a parameter change changes the hash', () => {
    const other = compileRules(readDetections('detections'), approved(['someone-else']));
    const byId = (list: typeof rules, id: string) => list.find((r) => r.id === id)!;
    const id = 'an1608-account-created-by-unapproved-identity';
    const rule = byId(rules, id);
    expect(rule.type === 'query' && rule.query).toMatchObject({
      bool: { must_not: [{ terms: { 'firedrill.actor.ids': ['terraform-provisioner'] } }] },
    });
    expect(byId(other, id).hash).not.toBe(rule.hash);
    // The Azure rule opts out: approved automation outside the window still alerts.
    const azure = byId(rules, 'an1608-azure-account-added-unapproved-or-off-hours');
    expect(azure.type === 'query' && azure.query).toMatchObject({ bool: { filter: expect.any(Array) } });
    expect(azure.type === 'query' && (azure.query.bool as Record<string, unknown>).must_not).toBeUndefined();
  });

  it('compiles only to the portable query types: no scripts, no query strings', () => {
    const QUERY_TYPES = new Set([
      'bool',
      'term',
      'terms',
      'exists',
      'prefix',
      'wildcard',
      'range',
      'match_none',
    ]);
    const BOOL_KEYS = new Set(['filter', 'should', 'must_not', 'minimum_should_match']);
    const check = (q: Record<string, unknown>, at: string): void => {
      const [type, body] = Object.entries(q)[0]!;
      expect(Object.keys(q), at).toHaveLength(1);
      expect(QUERY_TYPES, `${at}: ${type}`).toContain(type);
      if (type !== 'bool') return;
      for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
        expect(BOOL_KEYS, `${at}.bool`).toContain(key);
        if (Array.isArray(value))
          value.forEach((c, i) => check(c as Record<string, unknown>, `${at}.${key}.${i}`));
      }
    };
    for (const rule of rules)
      for (const q of rule.type === 'sequence' ? rule.steps.map((s) => s.query) : [rule.query])
        check(q, rule.id);
  });

  it('maps each sequence step to its own join fields, every one within its account', () => {
    const rule = rules.find((r) => r.id === 'an1608-aws-new-key-for-other-user-used')!;
    expect(rule.type === 'sequence' && rule.steps.map((s) => s.join)).toEqual([
      ['cloud.account.id', 'firedrill.credential.id'],
      ['cloud.account.id', 'aws.cloudtrail.user_identity.access_key_id'],
    ]);
    for (const r of rules)
      if (r.type === 'sequence')
        expect(
          r.steps.every((s) => s.join[0] === 'cloud.account.id'),
          r.id,
        ).toBe(true);
  });
});

describe('compileRules rejects', () => {
  it.each([
    [
      'risk_score: 47',
      'risk_score: 80',
      't-rule.yaml:7: risk_score: 80 does not fit severity medium (22–47)',
    ],
    [
      'lookback: 10m',
      'lookback: 1m',
      't-rule.yaml:10: schedule.lookback: must be at least the interval, or events between runs are missed',
    ],
    ['interval: 5m', 'interval: 0s', 't-rule.yaml:10: schedule.interval: must be longer than 0'],
    [
      'interval: 5m',
      'interval: 5 minutes',
      't-rule.yaml:10: schedule.interval: is not a duration like 90s, 5m, 1h30m or 14d',
    ],
    [
      'technique: T1136,',
      'technique: T1098,',
      't-rule.yaml:5: threat.0: sub-technique T1136.003 is not part of T1098',
    ],
    [
      'tactic: TA0003',
      'tactic: TA0001',
      't-rule.yaml:5: threat.0: technique T1136 does not belong to tactic TA0001',
    ],
    [
      'subtechnique: T1136.003',
      'subtechnique: T1136.009',
      't-rule.yaml:5: threat.0: sub-technique T1136.009 is not in detections/attack/techniques.yaml',
    ],
    [
      'severity: medium',
      'severity: urgent',
      't-rule.yaml:6: severity: must be equal to one of the allowed values (one of: low, medium, high, critical)',
    ],
    ['type: query', 'type: threshold', 't-rule.yaml:11: type: a threshold rule needs a threshold: block'],
    [
      'event.action: CreateUser',
      'event.action: { in_param: admins }',
      "t-rule.yaml:13: where.event.action.in_param: unknown parameter 'admins' (the config defines: approved_provisioners, change_window)",
    ],
    ['author: [tests]', 'author: [tests]\nscript: x', 't-rule.yaml:5: script: unknown field'],
  ])('%s → %s', (from, to, message) => {
    const found = problems({ 't-rule.yaml': VALID.replace(from, to) });
    expect(found.map((m) => m.replace(/^.*\/pack\//, ''))).toContain(message);
  });

  it('sequence steps that join on different numbers of fields', () => {
    const rule = VALID.replace('type: query', 'type: sequence')
      .replace('where:\n  event.action: CreateUser\n', '')
      .concat(
        [
          'sequence:',
          '  max_span: 5m',
          '  steps:',
          '    - { name: a, join: [cloud.account.id, user.target.name], where: { event.action: CreateUser } }',
          '    - { name: b, join: user.target.name, where: { event.action: CreateAccessKey } }',
          '',
        ].join('\n'),
      );
    expect(problems({ 't-rule.yaml': rule }).map((m) => m.replace(/^.*\/pack\//, ''))).toEqual([
      't-rule.yaml:16: sequence.steps.1.join: joins on 1 field(s) where the first step joins on 2',
    ]);
  });

  it('a threshold window longer than the lookback, and distinct on a group field', () => {
    const rule = VALID.replace('type: query', 'type: threshold').concat(
      'threshold: { group_by: [user.name], distinct: user.name, value: 3, window: 1h }\n',
    );
    expect(problems({ 't-rule.yaml': rule }).map((m) => m.replace(/^.*\/pack\//, ''))).toEqual([
      't-rule.yaml:14: threshold.window: the threshold window is longer than schedule.lookback, so it can never be seen whole',
      't-rule.yaml:14: threshold.distinct: is one of group_by, so every group would count 1',
    ]);
  });

  it('a missing block once, not again as a malformed condition', () => {
    const rule = VALID.replace('where:\n  event.action: CreateUser\n', '');
    expect(problems({ 't-rule.yaml': rule }).map((m) => m.replace(/^.*\/pack\//, ''))).toEqual([
      't-rule.yaml:11: type: a query rule needs a where: block',
    ]);
  });

  it('with every problem of every file at once', () => {
    const dir = detectionsWith({
      't-rule.yaml': VALID.replace('risk_score: 47', 'risk_score: 99'),
      'u-rule.yaml': VALID.replace('id: t-rule', 'id: u-rule').replace('lookback: 10m', 'lookback: 1m'),
    });
    const error = (() => {
      try {
        compileRules(readDetections(dir), defaultConfig());
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ContentErrors);
    expect((error as ContentErrors).errors).toHaveLength(2);
  });
});
