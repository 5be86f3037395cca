import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { formatAlert } from './format.js';
import type { AlertDocument } from '../engine/alert-document.js';

const alert: AlertDocument = {
  '@timestamp': '2026-11-24T10:00:00.000Z',
  event: { kind: 'alert', id: 'abc', severity: 73, risk_score: 73 },
  rule: {
    id: 'an1608-aws-user-created-then-credential',
    name: 'n',
    type: 'sequence',
    description: 'd',
    version: 'h',
  },
  user: { name: 'mallory', target: { name: 'backdoor' } },
  source: { ip: '203.0.113.7' },
  firedrill: {
    marker: 'run-1',
    credential: { id: ['AKIA1', 'AKIA2'] },
    alert: {
      severity: 'high',
      group: 'user.target.name=backdoor',
      anchor: '2026-11-24T09:58:00.000Z',
      first_event: '2026-11-24T09:58:00.000Z',
      last_event: '2026-11-24T09:59:00.000Z',
      event_count: 2,
      source: { ids: ['a', 'b'], indices: ['logs-aws.cloudtrail-default'] },
    },
  },
};

describe('formatAlert', () => {
  it('puts time, severity, rule, actor → target, source, keys and marker on one line', () => {
    const line = stripVTControlCharacters(formatAlert(alert));
    expect(line).toBe(
      '2026-11-24 09:58:00Z  HIGH      an1608-aws-user-created-then-credential  mallory → backdoor  from 203.0.113.7  keys AKIA1,AKIA2  [run-1]',
    );
  });

  it('marks an unknown actor and a missing target', () => {
    const bare = {
      ...alert,
      user: undefined,
      source: undefined,
      firedrill: { alert: alert.firedrill.alert },
    };
    expect(stripVTControlCharacters(formatAlert(bare))).toContain('? → -');
  });
});
