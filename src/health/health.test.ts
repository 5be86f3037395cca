import { describe, expect, it } from 'vitest';
import { compileRules } from '../compile/rules/index.js';
import { loadConfig } from '../content/config.js';
import { fieldsUsedBy } from './health.js';

describe('fieldsUsedBy', () => {
  const rules = compileRules('detections', loadConfig());

  it('collects query, join, group and new-terms fields with the rules that read them', () => {
    const fields = fieldsUsedBy(rules);
    expect(fields.get('user.target.name')).toContain('an1608-aws-user-created-then-credential'); // sequence join
    expect(fields.get('aws.cloudtrail.user_identity.access_key_id')).toEqual([
      'an1608-aws-new-key-for-other-user-used',
    ]);
    expect(fields.get('source.ip')).toContain('an1608-account-created-from-new-source-ip'); // new-terms field
    expect(fields.get('firedrill.actor.ids')).toContain('an1608-account-created-by-unapproved-identity'); // exemption
    expect(fields.get('event.outcome')?.length).toBeGreaterThan(10);
    expect([...fields.keys()]).toEqual([...fields.keys()].sort((a, b) => a.localeCompare(b)));
    expect([...fields.keys()].some((f) => f.startsWith('_'))).toBe(false);
  });
});
