import { describe, expect, it } from 'vitest';
import { globMatcher } from './rules.js';

describe('globMatcher', () => {
  it('matches *, ? and comma-separated alternatives, literally otherwise', () => {
    const match = globMatcher('an1608-aws-*, an1608-gcp-key-created-by-?napproved-identity');
    expect(match('an1608-aws-account-created-by-root')).toBe(true);
    expect(match('an1608-gcp-key-created-by-unapproved-identity')).toBe(true);
    expect(match('an1608-azure-x')).toBe(false);
    expect(globMatcher('logs-aws.cloudtrail-*')('logs-awsXcloudtrail-default')).toBe(false);
  });
});
