import { describe, expect, it } from 'vitest';
import type { CompiledQueryRule, CompiledRule, CompiledSequenceRule } from '../compile/types.js';
import { alertDocument, alertId, suppressionSpan } from './alert.js';
import type { Candidate } from './candidate.js';

const HOUR = 3_600_000;
const base = {
  id: 'r1',
  name: 'Rule one',
  description: 'd',
  severity: 'critical',
  riskScore: 99,
  threat: [
    {
      tactic: { id: 'TA0003', name: 'Persistence' },
      technique: { id: 'T1136', name: 'Create Account' },
      subtechnique: { id: 'T1136.003', name: 'Cloud Account' },
      analytic: 'AN1608',
    },
    {
      tactic: { id: 'TA0003', name: 'Persistence' },
      technique: { id: 'T1098', name: 'Account Manipulation' },
      subtechnique: { id: 'T1098.001', name: 'Additional Cloud Credentials' },
      analytic: 'AN1608',
    },
  ],
  tags: [],
  index: ['logs-*'],
  enabled: true,
  intervalMs: 1,
  lookbackMs: 1,
  maxAlerts: 1,
  suppressionMs: HOUR,
  groupBy: ['user.name'],
  investigation: ['look'],
  falsePositives: [],
  hash: 'h',
} as const;
const queryRule = { ...base, type: 'query', query: {} } as unknown as CompiledQueryRule;
const candidate = (rule: CompiledRule, anchor: number, marker?: string): Candidate => ({
  rule,
  marker,
  group: { 'user.name': 'mallory' },
  anchor,
  events: [{ index: 'logs-a', id: 'x', time: anchor, source: { user: { name: 'mallory' } } }],
});

describe('alert identity', () => {
  it('is the same for the same finding in the same suppression bucket, different otherwise', () => {
    const t = 10 * HOUR;
    expect(alertId(candidate(queryRule, t))).toBe(alertId(candidate(queryRule, t + HOUR / 2)));
    expect(alertId(candidate(queryRule, t))).not.toBe(alertId(candidate(queryRule, t + HOUR)));
    expect(alertId(candidate(queryRule, t, 'run-1'))).not.toBe(alertId(candidate(queryRule, t)));
    const unsuppressed = { ...queryRule, suppressionMs: 0 };
    expect(alertId(candidate(unsuppressed, t))).not.toBe(alertId(candidate(unsuppressed, t + 1)));
  });

  it('suppresses at least over the span the rule itself looks at', () => {
    const sequence = {
      ...base,
      type: 'sequence',
      steps: [],
      maxSpanMs: 2 * HOUR,
    } as unknown as CompiledSequenceRule;
    expect(suppressionSpan(sequence)).toBe(2 * HOUR);
    expect(suppressionSpan(queryRule)).toBe(HOUR);
  });
});

describe('alertDocument', () => {
  it('maps severity, ATT&CK and evidence to ECS fields', () => {
    const doc = alertDocument(candidate(queryRule, Date.UTC(2024, 2, 5), 'm'), {
      now: Date.UTC(2024, 2, 6),
    });
    expect(doc).toMatchObject({
      '@timestamp': '2024-03-06T00:00:00.000Z',
      event: { kind: 'alert', severity: 99, risk_score: 99 },
      rule: { id: 'r1', name: 'Rule one', type: 'query' },
      threat: {
        framework: 'MITRE ATT&CK',
        tactic: { id: 'TA0003' },
        technique: {
          id: ['T1136', 'T1098'],
          subtechnique: { id: ['T1136.003', 'T1098.001'] },
        },
        analytic: { id: 'AN1608' },
      },
      user: { name: 'mallory' },
      firedrill: { marker: 'm', alert: { severity: 'critical', group: 'user.name=mallory', event_count: 1 } },
    });
  });
});
