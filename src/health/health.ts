import picomatch from 'picomatch';
import type { Cluster } from '../cluster/index.js';
import type { CompiledRule, Dsl } from '../compile/types.js';
import { layoutOf } from '../layout/index.js';
import { SOURCES } from '../sources/index.js';

/** One query of a rule (its `where`, or one sequence step) and how many events match it. */
export interface QueryHealth {
  name: string;
  matching: number;
}

export interface FieldCoverage {
  field: string;
  /** Events matching the rule that carry the field. */
  populated: number;
}

/**
 * What one deployed rule needs from the data, checked: every query it runs must match some events (else
 * it is blind: the activity is not logged, or not parsed the way the rule expects), and the fields it reads
 * must be populated on the events it matches.
 */
export interface RuleHealth {
  rule: string;
  /** The log sources its index patterns cover. */
  sources: string[];
  queries: QueryHealth[];
  /** Events matching any of its queries: the denominator of field coverage. */
  matching: number;
  fields: FieldCoverage[];
  status: 'ok' | 'blind' | 'no-source';
}

export interface SourceHealth {
  source: string;
  title: string;
  index: string;
  events: number;
  /** Newest `@timestamp` and `event.ingested`, and how old the newest event is. */
  newest?: string;
  newestIngested?: string;
  ageMs?: number;
  status: 'ok' | 'stale' | 'no-data';
  /** `event.action` of the events some rule matches, most frequent first. */
  actions: Record<string, number>;
  /** Rules that search this source. */
  rules: string[];
}

export interface HealthReport {
  checkedAt: string;
  sources: SourceHealth[];
  rules: RuleHealth[];
  deadLetters: { total: number; bySource: Record<string, number> };
}

export interface HealthOptions {
  /** The rules whose needs are checked: usually the deployed ones. */
  rules: CompiledRule[];
  /** The deployment whose indices are read (default `default`). */
  deployment?: string;
  /** Only one replay run's data; by default replayed data (anything with a marker) is left out. */
  marker?: string;
  /** A source whose newest event is older than this is `stale` (default 24 h). */
  maxAgeMs?: number;
  now?: number;
}

const TOP_ACTIONS = 50;

/**
 * "Is it logged, retained and searchable?" For each log source: how much is there, how fresh, and which
 * actions the rules see; for each rule: whether every query it runs matches events, and whether the fields
 * it reads are populated on them; and how many records were dead-lettered. Everything expected is derived
 * from the rules, so a new rule is checked without touching this file.
 */
export async function checkHealth(cluster: Cluster, options: HealthOptions): Promise<HealthReport> {
  const now = options.now ?? Date.now();
  const layout = layoutOf(options.deployment);
  const scope: Dsl = options.marker
    ? { term: { 'firedrill.marker': options.marker } }
    : { bool: { must_not: { exists: { field: 'firedrill.marker' } } } };
  const rulesOf = new Map<string, CompiledRule[]>();
  const sourcesOf = new Map<string, string[]>(options.rules.map((r) => [r.id, []]));
  for (const source of SOURCES) {
    const index = layout.eventIndex(source);
    const covering = options.rules.filter((r) =>
      r.index.some((pattern) => picomatch.isMatch(index, pattern)),
    );
    rulesOf.set(source.id, covering);
    for (const rule of covering) sourcesOf.get(rule.id)!.push(source.id);
  }
  const sources: SourceHealth[] = [];
  const counted = new Map<string, { queries: number[]; matching: number; fields: number[] }>();
  for (const source of SOURCES) {
    const rules = rulesOf.get(source.id)!;
    const res = await searchSource(cluster, layout.eventPattern(source), scope, rules);
    const aggs = res.aggregations;
    const events = res.hits?.total?.value ?? 0;
    const ageMs = aggs?.newest?.value == null ? undefined : now - aggs.newest.value;
    sources.push({
      source: source.id,
      title: source.title,
      index: layout.eventPattern(source),
      events,
      newest: aggs?.newest?.value_as_string,
      newestIngested: aggs?.newest_ingested?.value_as_string,
      ageMs,
      status:
        events === 0
          ? 'no-data'
          : ageMs !== undefined && ageMs > (options.maxAgeMs ?? 86_400_000)
            ? 'stale'
            : 'ok',
      actions: buckets(aggs?.seen?.actions),
      rules: rules.map((r) => r.id),
    });
    rules.forEach((rule, r) => {
      const total = counted.get(rule.id) ?? { queries: [], matching: 0, fields: [] };
      const bucket = aggs?.[`rule_${r}`] as RuleBucket | undefined;
      queriesOf(rule).forEach((_, q) => {
        total.queries[q] = (total.queries[q] ?? 0) + (bucket?.[`query_${q}`]?.doc_count ?? 0);
      });
      total.matching += bucket?.doc_count ?? 0;
      fieldsOf(rule).forEach((_, f) => {
        total.fields[f] = (total.fields[f] ?? 0) + (bucket?.[`field_${f}`]?.doc_count ?? 0);
      });
      counted.set(rule.id, total);
    });
  }
  const rules: RuleHealth[] = options.rules.map((rule) => {
    const total = counted.get(rule.id);
    const queries = queriesOf(rule).map(({ name }, q) => ({ name, matching: total?.queries[q] ?? 0 }));
    return {
      rule: rule.id,
      sources: sourcesOf.get(rule.id)!,
      queries,
      matching: total?.matching ?? 0,
      fields: fieldsOf(rule).map((field, f) => ({ field, populated: total?.fields[f] ?? 0 })),
      status: !total ? 'no-source' : queries.some((q) => q.matching === 0) ? 'blind' : 'ok',
    };
  });
  const dead = await cluster.search<unknown, { sources?: TermsAgg }>(
    layout.deadLetterIndex,
    {
      size: 0,
      track_total_hits: true,
      query: scope,
      aggs: { sources: { terms: { field: 'firedrill.source', size: 10, missing: 'unknown' } } },
    },
    { filter_path: 'hits.total,aggregations' },
  );
  return {
    checkedAt: new Date(now).toISOString(),
    sources,
    rules,
    deadLetters: { total: dead.hits?.total?.value ?? 0, bySource: buckets(dead.aggregations?.sources) },
  };
}

/** One request per source: totals, freshness, and per rule the events each query matches and field coverage. */
function searchSource(cluster: Cluster, index: string, scope: Dsl, rules: CompiledRule[]) {
  const ruleAggs = Object.fromEntries(
    rules.map((rule, r) => {
      const queries = queriesOf(rule);
      return [
        `rule_${r}`,
        {
          filter: anyOf(queries.map((q) => q.query)),
          aggs: {
            ...Object.fromEntries(queries.map((q, i) => [`query_${i}`, { filter: q.query }])),
            ...Object.fromEntries(
              fieldsOf(rule).map((field, f) => [`field_${f}`, { filter: { exists: { field } } }]),
            ),
          },
        },
      ];
    }),
  );
  return cluster.search<unknown, HealthAggs>(
    index,
    {
      size: 0,
      track_total_hits: true,
      query: scope,
      aggs: {
        newest: { max: { field: '@timestamp' } },
        newest_ingested: { max: { field: 'event.ingested' } },
        ...(rules.length
          ? {
              seen: {
                filter: anyOf(rules.flatMap((rule) => queriesOf(rule).map((q) => q.query))),
                aggs: { actions: { terms: { field: 'event.action', size: TOP_ACTIONS } } },
              },
            }
          : {}),
        ...ruleAggs,
      },
    },
    { filter_path: 'hits.total,aggregations' },
  );
}

function anyOf(queries: Dsl[]): Dsl {
  return queries.length === 1 ? queries[0]! : { bool: { should: queries, minimum_should_match: 1 } };
}

/** The queries a rule runs: its `where`, or each sequence step. */
export function queriesOf(rule: CompiledRule): { name: string; query: Dsl }[] {
  return rule.type === 'sequence'
    ? rule.steps.map((s) => ({ name: s.name, query: s.query }))
    : [{ name: 'where', query: rule.query }];
}

/** Field names a rule's queries, joins and groupings read, sorted. */
export function fieldsOf(rule: CompiledRule): string[] {
  const fields = new Set<string>();
  for (const { query } of queriesOf(rule)) queryFields(query, fields);
  for (const f of rule.groupBy) fields.add(f);
  if (rule.type === 'sequence') for (const s of rule.steps) for (const f of s.join) fields.add(f);
  if (rule.type === 'new_terms') for (const f of rule.newTermsFields) fields.add(f);
  if (rule.type === 'threshold' && rule.threshold.cardinalityField)
    fields.add(rule.threshold.cardinalityField);
  return [...fields].filter((f) => !f.startsWith('_')).sort((a, b) => a.localeCompare(b));
}

const FIELD_KEYED = new Set([
  'term',
  'terms',
  'prefix',
  'wildcard',
  'range',
  'match',
  'match_phrase',
  'regexp',
]);

function queryFields(node: unknown, out: Set<string>): void {
  if (Array.isArray(node)) node.forEach((n) => queryFields(n, out));
  else if (node && typeof node === 'object')
    for (const [key, value] of Object.entries(node)) {
      if (FIELD_KEYED.has(key) && value && typeof value === 'object')
        Object.keys(value)
          .filter((k) => k !== 'boost')
          .forEach((f) => out.add(f));
      else if (key === 'exists' && value && typeof value === 'object') {
        const field = (value as { field?: unknown }).field;
        if (typeof field === 'string') out.add(field);
      } else queryFields(value, out);
    }
}

interface TermsAgg {
  buckets: { key: string; doc_count: number }[];
}

type RuleBucket = { doc_count: number } & Record<string, { doc_count: number } | undefined>;

interface HealthAggs {
  newest?: { value: number | null; value_as_string?: string };
  newest_ingested?: { value: number | null; value_as_string?: string };
  seen?: { actions?: TermsAgg };
  [rule: `rule_${number}`]: RuleBucket | undefined;
}

function buckets(agg: TermsAgg | undefined): Record<string, number> {
  return Object.fromEntries((agg?.buckets ?? []).map((b) => [String(b.key), b.doc_count]));
}
