import type { Cluster } from '../cluster/index.js';
import type { Dsl } from '../compile/types.js';
import { FiredrillError } from '../errors.js';
import type { EventHit } from './fields.js';

/**
 * What one evaluation treats as new events: a half-open `[from, to)` epoch-ms range over
 * `event.ingested` (live runs, from the checkpoint) or `@timestamp` (backfills).
 */
export interface Scope {
  field: 'event.ingested' | '@timestamp';
  from: number;
  to: number;
}

/** Everything an evaluator needs besides the rule. */
export interface EvaluationContext {
  cluster: Cluster;
  /** Restricts every search to events of one replay run. */
  marker?: string;
}

export function rangeFilter(field: string, from: number, to: number): Dsl {
  return { range: { [field]: { gte: from, lt: to, format: 'epoch_millis' } } };
}

/** The filter selecting a scope's new events. */
export function scopeFilter(scope: Scope): Dsl {
  return rangeFilter(scope.field, scope.from, scope.to);
}

/**
 * The filter bounding everything else an evaluation reads (history, other sequence steps, context):
 * nothing ingested after a live scope's end, nothing after a backfill's end, so re-runs see the same data.
 */
export function visibleFilter(scope: Scope): Dsl {
  return { range: { [scope.field]: { lt: scope.to, format: 'epoch_millis' } } };
}

export function markerFilters(context: EvaluationContext): Dsl[] {
  return context.marker ? [{ term: { 'firedrill.marker': context.marker } }] : [];
}

/** The most hits one search returns before the engine splits its time range. */
const PAGE = 5000;

/**
 * Every event matching `filters` in `[from, to)` of `field`, sorted by time. Splits the range in halves
 * until each part fits one response, so results are complete on both engines without scroll or PIT.
 */
export async function fetchEvents(
  context: EvaluationContext,
  index: string[],
  filters: Dsl[],
  range: { field: string; from: number; to: number },
  limit = 100_000,
): Promise<EventHit[]> {
  const out: EventHit[] = [];
  const pending: [number, number][] = [[range.from, range.to]];
  while (pending.length > 0) {
    const [from, to] = pending.shift()!;
    const res = await context.cluster.search<Record<string, unknown>>(index, {
      size: PAGE,
      track_total_hits: true,
      sort: [{ '@timestamp': { order: 'asc', unmapped_type: 'date' } }],
      // The raw record is never evaluated and can be most of the document.
      _source: { excludes: ['event.original'] },
      docvalue_fields: TIME_FIELDS,
      query: {
        bool: { filter: [...filters, ...markerFilters(context), rangeFilter(range.field, from, to)] },
      },
    });
    const total = res.hits.total?.value ?? res.hits.hits.length;
    if (total > res.hits.hits.length && to - from > 1) {
      const mid = Math.floor((from + to) / 2);
      pending.unshift([from, mid], [mid, to]);
      continue;
    }
    for (const hit of res.hits.hits) out.push(toEvent(hit));
    if (out.length > limit)
      throw new FiredrillError(`more than ${limit} events in ${index.join(',')} for one evaluation`);
  }
  return out.sort((a, b) => a.time - b.time);
}

/** Both times as epoch ms, whatever format the documents carry them in. */
export const TIME_FIELDS = [
  { field: '@timestamp', format: 'epoch_millis' },
  { field: 'event.ingested', format: 'epoch_millis' },
];

export function toEvent(hit: {
  _index: string;
  _id: string;
  _source: Record<string, unknown>;
  fields?: Record<string, unknown[]>;
}): EventHit {
  const millis = (field: string, fallback: unknown): number | undefined => {
    const value = hit.fields?.[field]?.[0] ?? fallback;
    if (value === undefined || value === null) return undefined;
    return /^\d+(\.\d+)?$/.test(String(value)) ? Math.floor(Number(value)) : Date.parse(String(value));
  };
  return {
    index: hit._index,
    id: hit._id,
    source: hit._source,
    time: millis('@timestamp', hit._source['@timestamp'])!,
    ingested: millis('event.ingested', undefined),
  };
}
