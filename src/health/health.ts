import type { Cluster } from '../cluster/index.js';
import type { CompiledRule, Dsl } from '../compile/types.js';
import { SOURCES, type LogSource } from '../content/scenarios.js';
import { DEAD_LETTER_INDEX } from '../ingest/index.js';

/** Where each source's events live (docs/fields.md). */
export const SOURCE_INDICES: Record<LogSource, string> = {
  'aws-cloudtrail': 'logs-aws.cloudtrail-*',
  'gcp-audit': 'logs-gcp.audit-*',
  'azure-audit': 'logs-azure.auditlogs-*',
};

/** The AN1608 activities every log source should show for the pack to see account creation and key generation. */
export const EXPECTED_ACTIVITIES = ['account_created', 'credential_created'];

export interface FieldCoverage {
  field: string;
  /** Relevant events (with a `firedrill.activity`) that carry the field. */
  populated: number;
  /** Rules that use it. */
  rules: string[];
}

export interface SourceHealth {
  source: LogSource;
  index: string;
  events: number;
  /** Newest `@timestamp` and `event.ingested`, and how old the newest event is. */
  newest?: string;
  newestIngested?: string;
  ageMs?: number;
  status: 'ok' | 'stale' | 'missing-activities' | 'no-data';
  activities: Record<string, number>;
  missingActivities: string[];
  /** `event.action` of the relevant events, most frequent first. */
  actions: Record<string, number>;
  /** Events with a `firedrill.activity`, the denominator of field coverage. */
  relevant: number;
  fields: FieldCoverage[];
  /** Rules that search this source. */
  rules: string[];
}

export interface HealthReport {
  checkedAt: string;
  sources: SourceHealth[];
  deadLetters: { total: number; bySource: Record<string, number> };
}

export interface HealthOptions {
  /** The rules whose needs are checked (fields, sources). */
  rules: CompiledRule[];
  /** Only one replay run's data; by default replayed data (anything with a marker) is left out. */
  marker?: string;
  /** A source whose newest event is older than this is `stale` (default 24 h). */
  maxAgeMs?: number;
  now?: number;
}

const TOP_ACTIONS = 50;

/**
 * "Is it logged, retained and searchable?": per source, which AN1608 activities and actions are in the
 * cluster, whether the fields the rules use are populated on them, how fresh the newest event is, and
 * how many records were dead-lettered.
 */
export async function checkHealth(cluster: Cluster, options: HealthOptions): Promise<HealthReport> {
  const now = options.now ?? Date.now();
  const scope: Dsl = options.marker
    ? { term: { 'firedrill.marker': options.marker } }
    : { bool: { must_not: { exists: { field: 'firedrill.marker' } } } };
  const sources: SourceHealth[] = [];
  for (const source of SOURCES) {
    const index = SOURCE_INDICES[source];
    const rules = options.rules.filter((r) => r.index.includes(index));
    const fields = fieldsUsedBy(rules);
    const res = await cluster.search<unknown, HealthAggs>(
      index,
      {
        size: 0,
        track_total_hits: true,
        query: scope,
        aggs: {
          newest: { max: { field: '@timestamp' } },
          newest_ingested: { max: { field: 'event.ingested' } },
          activities: { terms: { field: 'firedrill.activity', size: 20 } },
          relevant: {
            filter: { exists: { field: 'firedrill.activity' } },
            aggs: {
              actions: { terms: { field: 'event.action', size: TOP_ACTIONS } },
              ...Object.fromEntries(
                [...fields.keys()].map((f, i) => [`field_${i}`, { filter: { exists: { field: f } } }]),
              ),
            },
          },
        },
      },
      { filter_path: 'hits.total,aggregations' },
    );
    const aggs = res.aggregations;
    const events = res.hits?.total?.value ?? 0;
    const activities = buckets(aggs?.activities);
    const missingActivities = EXPECTED_ACTIVITIES.filter((a) => !activities[a]);
    const newest = aggs?.newest?.value_as_string;
    const ageMs = aggs?.newest?.value == null ? undefined : now - aggs.newest.value;
    const relevant = aggs?.relevant?.doc_count ?? 0;
    sources.push({
      source,
      index,
      events,
      newest,
      newestIngested: aggs?.newest_ingested?.value_as_string,
      ageMs,
      status:
        events === 0
          ? 'no-data'
          : missingActivities.length
            ? 'missing-activities'
            : ageMs !== undefined && ageMs > (options.maxAgeMs ?? 86_400_000)
              ? 'stale'
              : 'ok',
      activities,
      missingActivities,
      actions: buckets(aggs?.relevant?.actions),
      relevant,
      fields: [...fields.entries()].map(([field, users], i) => ({
        field,
        populated: (aggs?.relevant?.[`field_${i}`] as { doc_count?: number } | undefined)?.doc_count ?? 0,
        rules: users,
      })),
      rules: rules.map((r) => r.id),
    });
  }
  const dead = await cluster.search<unknown, { sources?: TermsAgg }>(
    DEAD_LETTER_INDEX,
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
    deadLetters: { total: dead.hits?.total?.value ?? 0, bySource: buckets(dead.aggregations?.sources) },
  };
}

/** Field names a rule's queries, joins and groupings read, each with the rules that read it. */
export function fieldsUsedBy(rules: CompiledRule[]): Map<string, string[]> {
  const fields = new Map<string, string[]>();
  const add = (field: string, rule: string) => {
    if (field.startsWith('_')) return;
    const users = fields.get(field) ?? [];
    if (!users.includes(rule)) users.push(rule);
    fields.set(field, users);
  };
  for (const rule of rules) {
    const dsl: unknown[] = rule.type === 'sequence' ? rule.steps.map((s) => s.query) : [rule.query];
    for (const q of dsl) for (const f of queryFields(q)) add(f, rule.id);
    for (const f of rule.groupBy) add(f, rule.id);
    if (rule.type === 'sequence') for (const s of rule.steps) add(s.joinField, rule.id);
    if (rule.type === 'new_terms') for (const f of rule.newTermsFields) add(f, rule.id);
    if (rule.type === 'threshold' && rule.threshold.cardinalityField)
      add(rule.threshold.cardinalityField, rule.id);
  }
  return new Map([...fields.entries()].sort(([a], [b]) => a.localeCompare(b)));
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

function queryFields(node: unknown, out = new Set<string>()): Set<string> {
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
  return out;
}

interface TermsAgg {
  buckets: { key: string; doc_count: number }[];
}

interface HealthAggs {
  newest?: { value: number | null; value_as_string?: string };
  newest_ingested?: { value: number | null; value_as_string?: string };
  activities?: TermsAgg;
  relevant?: { doc_count: number; actions?: TermsAgg } & Record<string, unknown>;
}

function buckets(agg: TermsAgg | undefined): Record<string, number> {
  return Object.fromEntries((agg?.buckets ?? []).map((b) => [String(b.key), b.doc_count]));
}
