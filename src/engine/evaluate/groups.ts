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

interface TotalsResponse {
  first: { value: number | null };
  last: { value: number | null };
}

/**
 * Every distinct combination of `fields` among events matching `filters`, with the first and last
 * `@timestamp` of each — a composite aggregation paged to the end, so nothing is cut off at a bucket limit.
 */
export async function groupRanges(
  context: EvaluationContext,
  index: string[],
  filters: Dsl[],
  fields: string[],
): Promise<GroupRange[]> {
  const query = { bool: { filter: [...filters, ...markerFilters(context)] } };
  const times = { first: { min: { field: '@timestamp' } }, last: { max: { field: '@timestamp' } } };
  if (fields.length === 0) {
    const res = await context.cluster.search<unknown, TotalsResponse>(index, { size: 0, query, aggs: times });
    const { first, last } = res.aggregations ?? { first: { value: null }, last: { value: null } };
    return first.value === null || last.value === null
      ? []
      : [{ group: {}, min: first.value, max: last.value }];
  }
  const out: GroupRange[] = [];
  let after: Record<string, unknown> | undefined;
  do {
    const res = await context.cluster.search<unknown, CompositeResponse>(index, {
      size: 0,
      query,
      aggs: {
        groups: {
          composite: {
            size: 1000,
            sources: fields.map((field, i) => ({ [`f${i}`]: { terms: { field } } })),
            ...(after ? { after } : {}),
          },
          aggs: times,
        },
      },
    });
    const groups = res.aggregations?.groups;
    for (const bucket of groups?.buckets ?? []) {
      const group = Object.fromEntries(fields.map((field, i) => [field, String(bucket.key[`f${i}`])]));
      out.push({ group, min: bucket.first.value, max: bucket.last.value });
    }
    after = groups?.buckets.length ? groups.after_key : undefined;
  } while (after);
  return out;
}

/** Term filters selecting exactly one group. */
export function groupFilters(group: Record<string, string>): Dsl[] {
  return Object.entries(group).map(([field, value]) => ({ term: { [field]: value } }));
}
