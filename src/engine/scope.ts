import type { Cluster } from '../cluster/index.js';
import type { Dsl } from '../compile/types.js';
import type { EventHit } from './fields.js';

/** A half-open `[from, to)` span of epoch ms. */
export interface Range {
  from: number;
  to: number;
}

/**
 * What one evaluation treats as new events: disjoint, sorted half-open ranges over `event.ingested` (live
 * runs: the span since the checkpoint, plus the seconds behind it where late events became visible) or
 * `@timestamp` (backfills: one range).
 */
export interface Scope {
  field: 'event.ingested' | '@timestamp';
  ranges: Range[];
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

/** Where a scope ends: nothing at or after it is read by the evaluation. */
export function scopeEnd(scope: Scope): number {
  return Math.max(...scope.ranges.map((r) => r.to));
}

export function inScope(scope: Scope, time: number | undefined): boolean {
  return time !== undefined && scope.ranges.some((r) => time >= r.from && time < r.to);
}

/** The filter selecting a scope's new events. */
export function scopeFilter(scope: Scope): Dsl {
  const parts = scope.ranges.map((r) => rangeFilter(scope.field, r.from, r.to));
  return parts.length === 1 ? parts[0]! : { bool: { should: parts, minimum_should_match: 1 } };
}

/**
 * The filter bounding everything else an evaluation reads (history, other sequence steps, context):
 * nothing ingested after a live scope's end, nothing after a backfill's end, so re-runs see the same data.
 */
export function visibleFilter(scope: Scope): Dsl {
  return { range: { [scope.field]: { lt: scopeEnd(scope), format: 'epoch_millis' } } };
}

export function markerFilters(context: EvaluationContext): Dsl[] {
  return context.marker ? [{ term: { 'firedrill.marker': context.marker } }] : [];
}

/** Sorted ranges with touching or overlapping ones joined. */
export function mergeRanges(ranges: Range[]): Range[] {
  const out: Range[] = [];
  for (const r of [...ranges].filter((x) => x.to > x.from).sort((a, b) => a.from - b.from)) {
    const last = out[out.length - 1];
    if (last && r.from <= last.to) last.to = Math.max(last.to, r.to);
    else out.push({ ...r });
  }
  return out;
}

/**
 * Every event matching `filters` (and the context's marker), oldest first, for evaluations already bounded
 * to a group or a span: paged through, so no count of events or of events in one millisecond is cut off.
 * The raw record is never evaluated and is left out.
 */
export async function fetchEvents(
  context: EvaluationContext,
  index: string[],
  filters: Dsl[],
): Promise<EventHit[]> {
  const out: EventHit[] = [];
  const pages = context.cluster.scroll<Record<string, unknown>>(index, {
    // In index order, sorted here: OpenSearch 2.19 drops hits from a scroll sorted on a date field when
    // thousands share one value (measured: 11,002 of 12,000 returned), so a scroll must not sort.
    sort: ['_doc'],
    _source: { excludes: ['event.original'] },
    docvalue_fields: TIME_FIELDS,
    query: { bool: { filter: [...filters, ...markerFilters(context)] } },
  });
  for await (const hits of pages) out.push(...hits.map(toEvent));
  return out.sort((a, b) => a.time - b.time || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
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
