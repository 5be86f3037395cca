import type { ChangeWindow, Parameters } from '../../content/config.js';
import type { Dsl } from '../types.js';

export type Path = (string | number)[];

/** What compiling one condition needs and learns. */
export interface ConditionContext {
  parameters: Parameters;
  /** Records a problem at a path inside the rule file. */
  problem(path: Path, message: string): void;
  /** Every event field the condition reads, with where it first appears (validate checks them). */
  fields: Map<string, Path>;
  /** Every parameter the condition references. */
  params: Set<string>;
}

type Scalar = string | number | boolean;

const COMBINATORS = ['all', 'any', 'not', 'in_window'] as const;
const RANGE_OPS = ['gte', 'gt', 'lte', 'lt'] as const;
const SINGLE_OPS = ['equals', 'in', 'exists', 'prefix', 'wildcard', 'regexp', 'cidr', 'in_param'] as const;
const OPERATORS = [...SINGLE_OPS, ...RANGE_OPS];
/** Operators that take `case_insensitive: true` beside them (string matches on keyword fields). */
const CASELESS_OPS = ['equals', 'in', 'prefix', 'wildcard', 'regexp'];
const CASE_FLAG = 'case_insensitive';
const FIELD_NAME = /^[@A-Za-z_][A-Za-z0-9_.@-]*$/;
const CIDR = /^(\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?|[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*(\/\d{1,3})?)$/;

/** Matches nothing; stands in for a part that has a problem, so compilation can report them all. */
const INVALID: Dsl = { match_none: {} };

/**
 * Compiles the structured condition language (docs/rules.md) to query DSL that both distributions
 * accept unchanged: bool / term / terms / exists / prefix / wildcard / range. Nothing else can be
 * expressed, so no rule can carry a script or an arbitrary request.
 */
export function compileCondition(condition: unknown, path: Path, ctx: ConditionContext): Dsl {
  if (!isObject(condition) || Object.keys(condition).length === 0) {
    ctx.problem(path, 'must be a map: a field test, or one of all / any / not / in_window');
    return INVALID;
  }
  const keys = Object.keys(condition);
  const combinator = keys.find((k) => (COMBINATORS as readonly string[]).includes(k));
  if (combinator) {
    if (keys.length > 1) {
      ctx.problem(path, `'${combinator}' must be alone in its map; put sibling tests in a list under all:`);
      return INVALID;
    }
    return compileCombinator(combinator, condition[combinator], [...path, combinator], ctx);
  }
  // Several field tests in one map all have to hold (like Sigma's maps).
  const parts = keys.map((field) => compileField(field, condition[field], [...path, field], ctx));
  return parts.length === 1 ? parts[0]! : { bool: { filter: parts } };
}

function compileCombinator(name: string, value: unknown, path: Path, ctx: ConditionContext): Dsl {
  switch (name) {
    case 'all':
    case 'any': {
      if (!Array.isArray(value) || value.length === 0) {
        ctx.problem(path, 'must be a non-empty list of conditions');
        return INVALID;
      }
      const parts = value.map((c, i) => compileCondition(c, [...path, i], ctx));
      if (parts.length === 1) return parts[0]!;
      return name === 'all'
        ? { bool: { filter: parts } }
        : { bool: { should: parts, minimum_should_match: 1 } };
    }
    case 'not':
      return { bool: { must_not: [compileCondition(value, path, ctx)] } };
    default:
      return compileWindow(value, path, ctx);
  }
}

/** `in_window: change_window` → the event's UTC weekday and hour fall inside the window. */
function compileWindow(value: unknown, path: Path, ctx: ConditionContext): Dsl {
  const window = parameter(value, path, ctx, 'window');
  if (!window || Array.isArray(window)) return INVALID;
  useField(ctx, 'firedrill.time.weekday', path);
  useField(ctx, 'firedrill.time.hour', path);
  const { start, end } = window.hours;
  const hour =
    start < end
      ? { range: { 'firedrill.time.hour': { gte: start, lt: end } } }
      : {
          bool: {
            should: [
              { range: { 'firedrill.time.hour': { gte: start } } },
              { range: { 'firedrill.time.hour': { lt: end } } },
            ],
            minimum_should_match: 1,
          },
        };
  return { bool: { filter: [{ terms: { 'firedrill.time.weekday': window.days } }, hour] } };
}

function compileField(field: string, test: unknown, path: Path, ctx: ConditionContext): Dsl {
  if (!FIELD_NAME.test(field)) {
    ctx.problem(path, `'${field}' is not a field name`);
    return INVALID;
  }
  useField(ctx, field, path);
  if (isScalar(test)) return { term: { [field]: test } };
  if (Array.isArray(test)) return terms(field, test, path, ctx);
  if (!isObject(test)) {
    ctx.problem(path, 'must be a value, a list of values, or a map with one operator');
    return INVALID;
  }
  const caseless = test[CASE_FLAG];
  if (caseless !== undefined) {
    const rest = Object.keys(test).filter((k) => k !== CASE_FLAG);
    if (typeof caseless !== 'boolean') {
      ctx.problem([...path, CASE_FLAG], 'must be true or false');
      return INVALID;
    }
    if (rest.length !== 1 || !CASELESS_OPS.includes(rest[0]!)) {
      ctx.problem(path, `${CASE_FLAG} goes beside exactly one of: ${CASELESS_OPS.join(', ')}`);
      return INVALID;
    }
    const plain = compileField(field, { [rest[0]!]: test[rest[0]!] }, path, ctx);
    return caseless ? caseInsensitive(plain) : plain;
  }
  const ops = Object.keys(test);
  const unknown = ops.find((op) => !(OPERATORS as string[]).includes(op));
  if (unknown) {
    ctx.problem([...path, unknown], `unknown operator (one of: ${OPERATORS.join(', ')})`);
    return INVALID;
  }
  const ranges = ops.filter((op) => (RANGE_OPS as readonly string[]).includes(op));
  if (ranges.length === ops.length && ops.length > 0) return range(field, test, ranges, path, ctx);
  if (ops.length !== 1) {
    ctx.problem(path, 'use exactly one operator per field test (gte/gt/lte/lt may combine)');
    return INVALID;
  }
  const op = ops[0]!;
  const value = test[op];
  const at = [...path, op];
  switch (op) {
    case 'equals':
      if (isScalar(value)) return { term: { [field]: value } };
      ctx.problem(at, 'must be a string, number or boolean');
      return INVALID;
    case 'in':
      return terms(field, value, at, ctx);
    case 'exists':
      if (typeof value !== 'boolean') {
        ctx.problem(at, 'must be true or false');
        return INVALID;
      }
      return value ? { exists: { field } } : { bool: { must_not: [{ exists: { field } }] } };
    case 'prefix':
    case 'wildcard':
      if (typeof value !== 'string' || value === '') {
        ctx.problem(at, 'must be a non-empty string');
        return INVALID;
      }
      return { [op]: { [field]: { value } } };
    case 'regexp':
      if (typeof value !== 'string' || value === '') {
        ctx.problem(at, 'must be a non-empty string');
        return INVALID;
      }
      // Lucene's optional operators (& ~ @ <> #) are off: those characters match themselves.
      return { regexp: { [field]: { value, flags: 'NONE' } } };
    case 'cidr': {
      const list = typeof value === 'string' ? [value] : value;
      if (
        !Array.isArray(list) ||
        list.length === 0 ||
        !list.every((c) => typeof c === 'string' && CIDR.test(c))
      ) {
        ctx.problem(at, 'must be an IP range like 203.0.113.0/24 or 2001:db8::/32, or a list of them');
        return INVALID;
      }
      // A terms query on an `ip` field takes CIDR notation on both distributions.
      return { terms: { [field]: list } };
    }
    default: {
      const list = parameter(value, at, ctx, 'list');
      return Array.isArray(list) ? { terms: { [field]: list } } : INVALID;
    }
  }
}

/**
 * The same string test, ignoring case (`case_insensitive` of term / prefix / wildcard / regexp; a `terms`
 * query has no such option, so a list becomes one `term` per value). Numbers and booleans are unchanged.
 */
function caseInsensitive(query: Dsl): Dsl {
  const [kind, body] = Object.entries(query)[0] as [string, Record<string, unknown>];
  if (!['terms', 'term', 'prefix', 'wildcard', 'regexp'].includes(kind)) return query; // INVALID, reported
  const [field, test] = Object.entries(body)[0] as [string, unknown];
  if (kind === 'terms') {
    const values = test as Scalar[];
    const parts = values.map((v) => caseInsensitive({ term: { [field]: v } }));
    return parts.length === 1 ? parts[0]! : { bool: { should: parts, minimum_should_match: 1 } };
  }
  if (kind === 'term') {
    if (typeof test !== 'string') return query;
    return { term: { [field]: { value: test, case_insensitive: true } } };
  }
  return { [kind]: { [field]: { ...(test as object), case_insensitive: true } } };
}

function terms(field: string, values: unknown, path: Path, ctx: ConditionContext): Dsl {
  if (!Array.isArray(values) || values.length === 0 || !values.every(isScalar)) {
    ctx.problem(path, 'must be a non-empty list of strings, numbers or booleans');
    return INVALID;
  }
  return { terms: { [field]: values } };
}

function range(
  field: string,
  test: Record<string, unknown>,
  ops: string[],
  path: Path,
  ctx: ConditionContext,
): Dsl {
  const bad = ops.find((op) => typeof test[op] !== 'number' && typeof test[op] !== 'string');
  if (bad) {
    ctx.problem([...path, bad], 'must be a number or a date');
    return INVALID;
  }
  if ((ops.includes('gt') && ops.includes('gte')) || (ops.includes('lt') && ops.includes('lte'))) {
    ctx.problem(path, 'use one lower bound (gt or gte) and one upper bound (lt or lte)');
    return INVALID;
  }
  return { range: { [field]: Object.fromEntries(ops.map((op) => [op, test[op]])) } };
}

/** Resolves a parameter reference of the expected kind, or records why it cannot. */
function parameter(
  name: unknown,
  path: Path,
  ctx: ConditionContext,
  kind: 'list' | 'window',
): string[] | ChangeWindow | undefined {
  if (typeof name !== 'string') {
    ctx.problem(path, 'must name a parameter from the config');
    return undefined;
  }
  const value = ctx.parameters[name];
  if (value === undefined) {
    const known = Object.keys(ctx.parameters).join(', ');
    ctx.problem(path, `unknown parameter '${name}' (the config defines: ${known})`);
    return undefined;
  }
  ctx.params.add(name);
  if ((kind === 'list') !== Array.isArray(value)) {
    ctx.problem(
      path,
      kind === 'list'
        ? `parameter '${name}' is a window; use in_window: ${name}`
        : `parameter '${name}' is a list; use <field>: { in_param: ${name} }`,
    );
    return undefined;
  }
  return value;
}

/** Notes that a rule reads a field (first use wins, for the line in messages). */
export function useField(ctx: Pick<ConditionContext, 'fields'>, field: string, path: Path): void {
  if (!ctx.fields.has(field)) ctx.fields.set(field, path);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isScalar(value: unknown): value is Scalar {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}
