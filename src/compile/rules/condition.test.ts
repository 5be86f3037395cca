import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../content/config.js';
import { compileCondition, type ConditionContext } from './condition.js';

function compile(condition: unknown, parameters = defaultConfig().parameters) {
  const problems: string[] = [];
  const ctx: ConditionContext = {
    parameters,
    fields: new Map(),
    params: new Set(),
    problem: (path, message) => problems.push(`${path.join('.')}: ${message}`),
  };
  const dsl = compileCondition(condition, ['where'], ctx);
  return { dsl, problems, fields: [...ctx.fields.keys()], params: [...ctx.params] };
}

describe('compileCondition', () => {
  it('compiles a value to term, a list to terms, several fields in one map to a filter', () => {
    expect(compile({ 'event.action': 'CreateUser' }).dsl).toEqual({ term: { 'event.action': 'CreateUser' } });
    expect(compile({ 'event.action': ['A', 'B'], 'event.outcome': 'success' }).dsl).toEqual({
      bool: { filter: [{ terms: { 'event.action': ['A', 'B'] } }, { term: { 'event.outcome': 'success' } }] },
    });
  });

  it('compiles every operator to the portable query it names', () => {
    const ops = {
      equals: [{ equals: true }, { term: { f: true } }],
      in: [{ in: [1, 2] }, { terms: { f: [1, 2] } }],
      exists: [{ exists: true }, { exists: { field: 'f' } }],
      missing: [{ exists: false }, { bool: { must_not: [{ exists: { field: 'f' } }] } }],
      prefix: [{ prefix: 'arn:aws:iam::' }, { prefix: { f: { value: 'arn:aws:iam::' } } }],
      wildcard: [{ wildcard: '*:root' }, { wildcard: { f: { value: '*:root' } } }],
      range: [{ gte: 8, lt: 18 }, { range: { f: { gte: 8, lt: 18 } } }],
      regexp: [{ regexp: 'a.*b' }, { regexp: { f: { value: 'a.*b', flags: 'NONE' } } }],
      cidr: [
        { cidr: ['203.0.113.0/24', '2001:db8::/32'] },
        { terms: { f: ['203.0.113.0/24', '2001:db8::/32'] } },
      ],
    };
    for (const [name, [test, dsl]] of Object.entries(ops)) {
      expect(compile({ f: test }), name).toMatchObject({ dsl, problems: [] });
    }
  });

  it('ignores case where case_insensitive says so: term, prefix, wildcard, regexp; a list as one term each', () => {
    const ci = { case_insensitive: true };
    expect(compile({ f: { equals: 'CreateUser', ...ci } }).dsl).toEqual({
      term: { f: { value: 'CreateUser', case_insensitive: true } },
    });
    expect(compile({ f: { in: ['A', 'B'], ...ci } }).dsl).toEqual({
      bool: {
        should: [
          { term: { f: { value: 'A', case_insensitive: true } } },
          { term: { f: { value: 'B', case_insensitive: true } } },
        ],
        minimum_should_match: 1,
      },
    });
    expect(compile({ f: { prefix: 'arn:', ...ci } }).dsl).toEqual({
      prefix: { f: { value: 'arn:', case_insensitive: true } },
    });
    expect(compile({ f: { regexp: 'a.*', ...ci } }).dsl).toEqual({
      regexp: { f: { value: 'a.*', flags: 'NONE', case_insensitive: true } },
    });
    expect(compile({ f: { equals: 5, ...ci } }).dsl).toEqual({ term: { f: 5 } });
    expect(compile({ f: { equals: 'x', case_insensitive: false } }).dsl).toEqual({ term: { f: 'x' } });
  });

  it('compiles all / any / not', () => {
    const { dsl } = compile({ any: [{ a: 1 }, { not: { b: 2 } }] });
    expect(dsl).toEqual({
      bool: {
        should: [{ term: { a: 1 } }, { bool: { must_not: [{ term: { b: 2 } }] } }],
        minimum_should_match: 1,
      },
    });
  });

  it('inlines list parameters and records the reference', () => {
    const parameters = { ...defaultConfig().parameters, approved_provisioners: ['terraform'] };
    const out = compile({ 'firedrill.actor.ids': { in_param: 'approved_provisioners' } }, parameters);
    expect(out.dsl).toEqual({ terms: { 'firedrill.actor.ids': ['terraform'] } });
    expect(out.params).toEqual(['approved_provisioners']);
  });

  it('turns in_window into weekday and hour tests, overnight windows included', () => {
    const day = compile({ in_window: 'change_window' });
    expect(day.dsl).toEqual({
      bool: {
        filter: [
          { terms: { 'firedrill.time.weekday': ['mon', 'tue', 'wed', 'thu', 'fri'] } },
          { range: { 'firedrill.time.hour': { gte: 8, lt: 18 } } },
        ],
      },
    });
    expect(day.fields).toEqual(['firedrill.time.weekday', 'firedrill.time.hour']);
    const night = compile(
      { in_window: 'change_window' },
      { approved_provisioners: [], change_window: { days: ['sat'], hours: { start: 22, end: 6 } } },
    );
    expect(JSON.stringify(night.dsl)).toContain(
      '"should":[{"range":{"firedrill.time.hour":{"gte":22}}},{"range":{"firedrill.time.hour":{"lt":6}}}]',
    );
  });

  it.each([
    [{ all: [] }, 'where.all: must be a non-empty list of conditions'],
    [
      { all: [{ a: 1 }], b: 2 },
      "where: 'all' must be alone in its map; put sibling tests in a list under all:",
    ],
    [
      { f: { lucene: 'f:x' } },
      'where.f.lucene: unknown operator (one of: equals, in, exists, prefix, wildcard, regexp, cidr, in_param, gte, gt, lte, lt)',
    ],
    [
      { f: { exists: true, case_insensitive: true } },
      'where.f: case_insensitive goes beside exactly one of: equals, in, prefix, wildcard, regexp',
    ],
    [{ f: { equals: 'x', case_insensitive: 'yes' } }, 'where.f.case_insensitive: must be true or false'],
    [{ f: { in: [] } }, 'where.f.in: must be a non-empty list of strings, numbers or booleans'],
    [
      { f: { equals: 1, prefix: 'x' } },
      'where.f: use exactly one operator per field test (gte/gt/lte/lt may combine)',
    ],
    [{ f: { gt: 1, gte: 2 } }, 'where.f: use one lower bound (gt or gte) and one upper bound (lt or lte)'],
    [
      { 'source.ip': { cidr: '203.0.113.0/33x' } },
      'where.source.ip.cidr: must be an IP range like 203.0.113.0/24 or 2001:db8::/32, or a list of them',
    ],
    [
      { f: { in_param: 'nope' } },
      "where.f.in_param: unknown parameter 'nope' (the config defines: approved_provisioners, change_window)",
    ],
    [
      { f: { in_param: 'change_window' } },
      "where.f.in_param: parameter 'change_window' is a window; use in_window: change_window",
    ],
    [
      { in_window: 'approved_provisioners' },
      "where.in_window: parameter 'approved_provisioners' is a list; use <field>: { in_param: approved_provisioners }",
    ],
    [{ 'bad field': 1 }, "where.bad field: 'bad field' is not a field name"],
    [{ f: null }, 'where.f: must be a value, a list of values, or a map with one operator'],
    [
      { script: { source: 'x' } },
      'where.script.source: unknown operator (one of: equals, in, exists, prefix, wildcard, regexp, cidr, in_param, gte, gt, lte, lt)',
    ],
  ])('rejects %j', (condition, problem) => {
    expect(compile(condition).problems).toEqual([problem]);
  });
});
