import { describe, expect, it } from 'vitest';
import { compileRules } from '../compile/rules/index.js';
import { readConfig } from '../content/config.js';
import { readDetections } from '../content/rules.js';
import { fieldsOf, queriesOf } from './health.js';

describe('what a rule expects of the data', () => {
  const rules = new Map(
    compileRules(readDetections('detections'), readConfig().config).map((r) => [r.id, r]),
  );
  const rule = (id: string) => rules.get(id)!;

  it('is each query it runs: the where, or every sequence step', () => {
    expect(queriesOf(rule('an1608-aws-user-created-then-credential')).map((q) => q.name)).toEqual([
      'user created',
      'credential created for it',
    ]);
    expect(queriesOf(rule('an1608-aws-account-created-by-root')).map((q) => q.name)).toEqual(['where']);
  });

  it('is every field its queries, joins, groups, new terms and exemptions read', () => {
    expect(fieldsOf(rule('an1608-aws-user-created-then-credential'))).toContain('user.target.name'); // join
    expect(fieldsOf(rule('an1608-aws-new-key-for-other-user-used'))).toContain(
      'aws.cloudtrail.user_identity.access_key_id',
    );
    expect(fieldsOf(rule('an1608-account-created-from-new-source-ip'))).toContain('source.ip'); // new term
    expect(fieldsOf(rule('an1608-account-created-by-unapproved-identity'))).toContain('firedrill.actor.ids');
    const fields = fieldsOf(rule('an1608-account-creation-burst'));
    expect(fields).toEqual([...fields].sort((a, b) => a.localeCompare(b)));
    expect(fields.some((f) => f.startsWith('_'))).toBe(false);
  });
});
