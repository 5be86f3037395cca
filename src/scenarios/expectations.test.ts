import { describe, expect, it } from 'vitest';
import type { Scenario } from '../content/scenarios.js';
import { checkExpectations, failureLines, flatten } from './expectations.js';

const scenario = (expectations: Scenario['expect']): Scenario =>
  ({ name: 's', expect: expectations }) as Scenario;
const ingest = { read: 4, indexed: 3, duplicates: 1, deadLettered: 0, malformed: [] };
const alert = (rule: string, fields: Record<string, unknown> = {}) => ({
  rule,
  fields: { 'rule.id': rule, ...fields },
});
const deployed = new Set(['a', 'b', 'c']);

describe('checkExpectations', () => {
  it('passes when counts, fields and ingest match', () => {
    const s = scenario({
      must_fire: [{ rule: 'a', count: 1, fields: { 'user.target.name': 'bob' } }],
      must_not_fire: ['b'],
      ingest: { duplicates: 1, indexed: 3 },
    });
    const results = checkExpectations(
      s,
      [alert('a', { 'user.target.name': ['bob', 'eve'] })],
      ingest,
      deployed,
    );
    expect(failureLines(results)).toEqual([]);
    expect(results).toHaveLength(4);
  });

  it('names every unmet expectation', () => {
    const s = scenario({
      must_fire: [{ rule: 'a', count: 1 }, { rule: 'b', fields: { 'user.name': 'root' } }, { rule: 'gone' }],
      must_not_fire: ['c'],
      ingest: { dead_lettered: 2 },
    });
    const alerts = [alert('a'), alert('a'), alert('b', { 'user.name': 'admin' }), alert('c')];
    expect(failureLines(checkExpectations(s, alerts, ingest, deployed))).toEqual([
      'must_fire a: expected 1 alert(s), got 2',
      'must_fire b: expected user.name = "root", got "admin"',
      'must_fire gone: expected an alert, but rule gone is not deployed',
      'must_not_fire c: expected no alert, got 1 alert(s) from c',
      'ingest dead_lettered: expected dead_lettered 2, got 0',
    ]);
  });

  it('`none` allows only the expected rules', () => {
    const s = scenario({ must_fire: [{ rule: 'a' }], must_not_fire: 'none' });
    expect(failureLines(checkExpectations(s, [alert('a')], ingest, deployed))).toEqual([]);
    expect(
      failureLines(checkExpectations(s, [alert('a'), alert('b'), alert('c')], ingest, deployed)),
    ).toEqual(['must_not_fire any: expected no other alerts, got 2 alert(s) from b, c']);
  });

  it('flattens nested documents to dotted names, keeping arrays', () => {
    expect(flatten({ user: { target: { name: 'x' } }, tags: ['a'] })).toEqual({
      'user.target.name': 'x',
      tags: ['a'],
    });
  });
});
