import { isDeepStrictEqual } from 'node:util';
import { ruleDocument } from '../compile/engine.js';
import { withHash } from '../compile/rules/compile.js';
import type { CompiledRule, Dsl } from '../compile/types.js';
import { contentHash, RULE_META_FIELD, type ManagedMeta } from '../deploy/metadata.js';
import type { Layout } from '../layout/index.js';
import { SOURCES } from '../sources/index.js';

/**
 * Why the engine will not run a rule document read from the cluster. Anyone who can write the rules
 * index could otherwise make the engine run any query over any index; the compiler's guarantee ("no rule
 * can carry a script") holds only for documents that are still what the compiler and deployer produced.
 */
export class RuleRefusal extends Error {}

/** The query forms the compiler produces (src/compile/rules/condition.ts), and the keys each may have. */
const QUERY_FORMS: Record<string, (body: unknown) => void> = {
  bool: checkBool,
  term: (body) => onField(body, checkScalar),
  terms: (body) => onField(body, checkScalarList),
  exists: (body) => {
    const { field } = plainObject(body, ['field']);
    checkField(field);
  },
  prefix: (body) => onField(body, checkValueObject),
  wildcard: (body) => onField(body, checkValueObject),
  range: (body) =>
    onField(body, (bounds) => {
      for (const value of Object.values(plainObject(bounds, ['gte', 'gt', 'lte', 'lt']))) checkScalar(value);
    }),
  match_none: (body) => plainObject(body, []),
};

const FIELD_NAME = /^[@A-Za-z_][A-Za-z0-9_.@-]*$/;

/** Refuses anything but the compiler's own query forms: no script, percolate, terms lookup or other index. */
export function checkQuery(query: unknown): void {
  const entries = Object.entries(plainObject(query));
  if (entries.length !== 1) throw new RuleRefusal('a query must have exactly one form');
  const [form, body] = entries[0]!;
  const check = QUERY_FORMS[form];
  if (!check) throw new RuleRefusal(`query form '${form}' is not one the compiler produces`);
  check(body);
}

function checkBool(body: unknown): void {
  const bool = plainObject(body, ['filter', 'must', 'should', 'must_not', 'minimum_should_match']);
  for (const clause of ['filter', 'must', 'should', 'must_not'] as const) {
    const parts = bool[clause];
    if (parts === undefined) continue;
    if (!Array.isArray(parts)) throw new RuleRefusal(`bool.${clause} must be a list`);
    parts.forEach(checkQuery);
  }
  if (bool.minimum_should_match !== undefined && typeof bool.minimum_should_match !== 'number')
    throw new RuleRefusal('bool.minimum_should_match must be a number');
}

function onField(body: unknown, check: (value: unknown) => void): void {
  const entries = Object.entries(plainObject(body));
  if (entries.length !== 1) throw new RuleRefusal('a field test must name exactly one field');
  checkField(entries[0]![0]);
  check(entries[0]![1]);
}

function checkField(field: unknown): void {
  if (typeof field !== 'string' || !FIELD_NAME.test(field))
    throw new RuleRefusal(`'${String(field)}' is not a field name`);
}

function checkScalar(value: unknown): void {
  if (!['string', 'number', 'boolean'].includes(typeof value))
    throw new RuleRefusal('a query value must be a string, number or boolean');
}

/** A list of values, never `{index, id, path}`: a terms lookup would read another index. */
function checkScalarList(value: unknown): void {
  if (!Array.isArray(value))
    throw new RuleRefusal('terms must list values (a terms lookup reads another index)');
  value.forEach(checkScalar);
}

function checkValueObject(value: unknown): void {
  checkScalar(plainObject(value, ['value']).value);
}

function plainObject(value: unknown, allowed?: string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new RuleRefusal('a query part must be a map');
  const record = value as Record<string, unknown>;
  const extra = allowed && Object.keys(record).find((key) => !allowed.includes(key));
  if (extra) throw new RuleRefusal(`'${extra}' is not allowed in a rule's query`);
  return record;
}

/** The indices a deployment's rules may read: its own event patterns (and indices), nothing else. */
export function allowedIndices(layout: Layout): Set<string> {
  return new Set(SOURCES.flatMap((source) => [layout.eventPattern(source), layout.eventIndex(source)]));
}

/**
 * The compiled rule in a document of the rules index, if the engine may run it: the deployer's stamp for
 * this deployment with a content hash that matches the document, a rule hash that matches the rule as the
 * compiler hashes it, only the compiler's query forms, and indices among the deployment's event patterns.
 * Throws a RuleRefusal naming the first problem.
 */
export function trustedRule(source: Record<string, unknown>, layout: Layout): CompiledRule {
  const { [RULE_META_FIELD]: stampValue, ...document } = source;
  const stamp = stampValue as Partial<ManagedMeta> | undefined;
  if (stamp?.managed_by !== 'firedrill')
    throw new RuleRefusal('the document carries no deployer stamp (firedrill_managed)');
  if (stamp.firedrill_deployment !== layout.deployment)
    throw new RuleRefusal(
      `the document was stamped for deployment '${String(stamp.firedrill_deployment)}', not '${layout.deployment}'`,
    );
  if (stamp.firedrill_hash !== contentHash(document))
    throw new RuleRefusal('the document does not match the content hash the deployer stamped on it');

  const rule = document.firedrill_rule as CompiledRule | undefined;
  if (!rule || typeof rule !== 'object') throw new RuleRefusal('the document holds no compiled rule');
  const { hash, ...unhashed } = rule;
  if (withHash(unhashed as Parameters<typeof withHash>[0]).hash !== hash)
    throw new RuleRefusal('the compiled rule does not match its hash (firedrill_rule_hash)');
  // Every other field (percolator query, id, type, enabled flag) is what the compiler derives from the rule.
  if (!isDeepStrictEqual(document, ruleDocument(rule)))
    throw new RuleRefusal('the document holds more than its compiled rule (a percolator query of its own?)');

  const queries: Dsl[] = rule.type === 'sequence' ? rule.steps.map((step) => step.query) : [rule.query];
  for (const query of queries) checkQuery(query);
  const fields = [
    ...rule.groupBy,
    ...(rule.type === 'sequence' ? rule.steps.flatMap((step) => step.join) : []),
    ...(rule.type === 'new_terms' ? rule.newTermsFields : []),
    ...(rule.type === 'threshold' && rule.threshold.cardinalityField
      ? [rule.threshold.cardinalityField]
      : []),
  ];
  fields.forEach(checkField);
  const allowed = allowedIndices(layout);
  const foreign = rule.index.find((index) => !allowed.has(index));
  if (foreign !== undefined || rule.index.length === 0)
    throw new RuleRefusal(
      `index '${foreign ?? '(none)'}' is not one of the deployment's event patterns (${[...allowed].filter((i) => i.endsWith('*')).join(', ')})`,
    );
  return rule;
}
