import type { CompiledNewTermsRule } from '../../compile/types.js';
import type { Candidate } from '../candidate.js';
import type { EventHit } from '../fields.js';
import {
  markerFilters,
  rangeFilter,
  scopeFilter,
  TIME_FIELDS,
  toEvent,
  visibleFilter,
  type EvaluationContext,
  type Scope,
} from '../scope.js';
import { groupFilters, groupPages, type GroupRange } from './groups.js';

/** Keys checked against history per request (one `filters` aggregation, a filter per key). */
const BATCH = 500;
/** Evidence events kept per new term. */
const EVIDENCE = 5;

/**
 * New terms: an aggregation lists every entity+terms combination among the new events with its first
 * time; one `filters` aggregation per batch then counts each combination's events in the history window
 * before that time. A combination with none is new, first seen at that time; a third aggregation
 * (`top_hits` per combination) brings its first events as evidence.
 */
export async function evaluateNewTermsRule(
  context: EvaluationContext,
  rule: CompiledNewTermsRule,
  scope: Scope,
): Promise<Candidate[]> {
  const fields = [...new Set([...rule.groupBy, ...rule.newTermsFields])];
  const candidates: Candidate[] = [];
  for await (const ranges of groupPages(context, rule.index, [rule.query, scopeFilter(scope)], fields))
    for (let start = 0; start < ranges.length; start += BATCH) {
      const fresh = await unseen(context, rule, scope, ranges.slice(start, start + BATCH));
      const evidence = await firstEvents(context, rule, scope, fresh);
      fresh.forEach((range, i) =>
        candidates.push({ rule, group: range.group, anchor: range.min, events: evidence[i] ?? [] }),
      );
    }
  return candidates;
}

async function unseen(
  context: EvaluationContext,
  rule: CompiledNewTermsRule,
  scope: Scope,
  batch: GroupRange[],
): Promise<GroupRange[]> {
  const filters = Object.fromEntries(
    batch.map((range, i) => [
      `k${i}`,
      {
        bool: {
          filter: [
            ...groupFilters(range.group),
            rangeFilter('@timestamp', range.min - rule.historyWindowMs, range.min),
          ],
        },
      },
    ]),
  );
  const res = await context.cluster.search<
    unknown,
    { seen: { buckets: Record<string, { doc_count: number }> } }
  >(rule.index, {
    size: 0,
    query: { bool: { filter: [rule.query, visibleFilter(scope), ...markerFilters(context)] } },
    aggs: { seen: { filters: { filters } } },
  });
  const buckets = res.aggregations?.seen.buckets ?? {};
  return batch.filter((_, i) => (buckets[`k${i}`]?.doc_count ?? 0) === 0);
}

/** The first few new events of each combination, from one `filters` aggregation with `top_hits`. */
async function firstEvents(
  context: EvaluationContext,
  rule: CompiledNewTermsRule,
  scope: Scope,
  ranges: GroupRange[],
): Promise<EventHit[][]> {
  if (ranges.length === 0) return [];
  const filters = Object.fromEntries(
    ranges.map((range, i) => [
      `k${i}`,
      {
        bool: {
          filter: [...groupFilters(range.group), rangeFilter('@timestamp', range.min, range.max + 1)],
        },
      },
    ]),
  );
  type TopHits = { first: { hits: { hits: Parameters<typeof toEvent>[0][] } } };
  const res = await context.cluster.search<unknown, { keys: { buckets: Record<string, TopHits> } }>(
    rule.index,
    {
      size: 0,
      query: { bool: { filter: [rule.query, scopeFilter(scope), ...markerFilters(context)] } },
      aggs: {
        keys: {
          filters: { filters },
          aggs: {
            first: {
              top_hits: {
                size: EVIDENCE,
                sort: [{ '@timestamp': { order: 'asc', unmapped_type: 'date' } }],
                _source: { excludes: ['event.original'] },
                docvalue_fields: TIME_FIELDS,
              },
            },
          },
        },
      },
    },
  );
  const buckets = res.aggregations?.keys.buckets ?? {};
  return ranges.map((_, i) => (buckets[`k${i}`]?.first.hits.hits ?? []).map(toEvent));
}
