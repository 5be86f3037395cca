import type { Dsl } from '../../compile/types.js';
import { markerFilters, type EvaluationContext } from '../scope.js';

/** A combination of field values with the time range of its new events. */
export interface GroupRange {
  group: Record<string, string>;
  min: number;
  max: number;
}

interface CompositeResponse {
  groups: {
    after_key?: Record<string, unknown>;
    buckets: { key: Record<string, unknown>; first: { value: number }; last: { value: number } }[];
  };
}

/** Groups per composite page: also how many an evaluator holds in memory at once. */
const PAGE = 1000;

/**
 * Events of different replay runs never make one finding, nor mix with live events: the marker (or its
 * absence) is part of every group, join key and history, so a finding and its alert id are the same whether
 * a run evaluates one marker or everything.
 */
export const RUN_FIELD = 'firedrill.marker';

/**
 * Every distinct combination of `fields` among events matching `filters`, with the first and last
 * `@timestamp` of each, a page at a time — a composite aggregation paged to the end, so any number of
 * groups is seen and memory stays bounded.
 */
export async function* groupPages(
  context: EvaluationContext,
  index: string[],
  filters: Dsl[],
  fields: string[],
  /** Events lacking a field make groups of their own (without it) instead of being left out. */
  keepMissing = false,
): AsyncGenerator<GroupRange[]> {
  const query = { bool: { filter: [...filters, ...markerFilters(context)] } };
  const times = { first: { min: { field: '@timestamp' } }, last: { max: { field: '@timestamp' } } };
  let after: Record<string, unknown> | undefined;
  do {
    const res = await context.cluster.search<unknown, CompositeResponse>(index, {
      size: 0,
      query,
      aggs: {
        groups: {
          composite: {
            size: PAGE,
            sources: [
              ...fields.map((field, i) => ({
                [`f${i}`]: { terms: { field, ...(keepMissing ? { missing_bucket: true } : {}) } },
              })),
              { run: { terms: { field: RUN_FIELD, missing_bucket: true } } },
            ],
            ...(after ? { after } : {}),
          },
          aggs: times,
        },
      },
    });
    const groups = res.aggregations?.groups;
    const page = (groups?.buckets ?? []).map((bucket) => ({
      group: {
        ...Object.fromEntries(
          fields.flatMap((field, i) =>
            bucket.key[`f${i}`] == null ? [] : [[field, String(bucket.key[`f${i}`])]],
          ),
        ),
        ...(bucket.key.run != null ? { [RUN_FIELD]: String(bucket.key.run) } : {}),
      },
      min: bucket.first.value,
      max: bucket.last.value,
    }));
    if (page.length) yield page;
    after = groups?.buckets.length ? groups.after_key : undefined;
  } while (after);
}

/** Filters selecting exactly one group (a group without a run is live data: events without a marker). */
export function groupFilters(group: Record<string, string>): Dsl[] {
  const terms = Object.entries(group).map(([field, value]) => ({ term: { [field]: value } }));
  return RUN_FIELD in group ? terms : [...terms, { bool: { must_not: [{ exists: { field: RUN_FIELD } }] } }];
}
