import type { Dsl } from '../compile/types.js';
import { mergeRanges, rangeFilter, type EvaluationContext, type Range } from './scope.js';

const SECOND = 1000;

/**
 * How many events there are in each second of `event.ingested` in a range, the seconds counted back from
 * the range's end (keys: epoch ms where each second starts). An event is stamped when the pipeline starts
 * on it but becomes searchable only after its whole bulk and the next refresh: counting what is searchable
 * now, and again later over the same seconds, shows which seconds got late events.
 */
export async function visibleCounts(
  context: EvaluationContext,
  index: string[],
  filters: Dsl[],
  range: Range,
): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  if (range.to <= range.from) return out;
  const res = await context.cluster.search<
    unknown,
    { seconds: { buckets: { key: number; doc_count: number }[] } }
  >(index, {
    size: 0,
    query: { bool: { filter: [...filters, rangeFilter('event.ingested', range.from, range.to)] } },
    aggs: {
      seconds: {
        date_histogram: {
          field: 'event.ingested',
          fixed_interval: '1s',
          // Seconds that end exactly at the range's end, however it falls within a wall-clock second.
          offset: `${((range.to % SECOND) + SECOND) % SECOND}ms`,
          min_doc_count: 1,
        },
      },
    },
  });
  for (const bucket of res.aggregations?.seconds.buckets ?? []) out.set(bucket.key, bucket.doc_count);
  return out;
}

/**
 * The seconds that hold more searchable events now than when they were evaluated (`seen`, counted over the
 * same seconds), as merged ranges. Without a record of what was seen, the whole window.
 */
export function lateRanges(
  seen: Record<string, number> | undefined,
  now: Map<number, number>,
  window: Range,
): Range[] {
  if (window.to <= window.from) return [];
  if (!seen) return [window];
  const late: Range[] = [];
  for (const [second, count] of now)
    if (count > (seen[String(second)] ?? 0))
      late.push({ from: Math.max(second, window.from), to: Math.min(second + SECOND, window.to) });
  return mergeRanges(late);
}

/** What to remember of a count: its seconds that hold events. */
export function seenRecord(now: Map<number, number>): Record<string, number> {
  return Object.fromEntries([...now].map(([second, count]) => [String(second), count]));
}
