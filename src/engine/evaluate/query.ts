import picomatch from 'picomatch';
import type { CompiledQueryRule, Dsl } from '../../compile/types.js';
import { groupOf, type Candidate } from '../candidate.js';
import type { EventHit } from '../fields.js';
import { RUN_FIELD } from './groups.js';
import {
  inScope,
  markerFilters,
  mergeRanges,
  scopeFilter,
  TIME_FIELDS,
  toEvent,
  type EvaluationContext,
  type Scope,
} from '../scope.js';

/** The cluster's limit on query clauses when it does not say (`indices.query.bool.max_clause_count`). */
export const DEFAULT_MAX_CLAUSES = 1024;

/** Per rule: its candidates, or why it could not be evaluated (one rule's failure never stops the others). */
export type QueryOutcome = Candidate[] | Error;

/**
 * Evaluates query rules together: the rules are split into chunks whose combined query stays within the
 * cluster's clause limit; for each chunk the new events that at least one of its rules matches are paged
 * through once, each rule's query named after the rule, so every hit says which rules it matched
 * (`matched_queries`) — evaluated by the cluster on the real index, no copy of the event needed. An event
 * counts for a rule only if it lies in that rule's indices and scope.
 */
export async function evaluateQueryRules(
  context: EvaluationContext,
  scoped: { rule: CompiledQueryRule; scope: Scope }[],
  maxClauses = DEFAULT_MAX_CLAUSES,
): Promise<Map<string, QueryOutcome>> {
  const out = new Map<string, QueryOutcome>();
  for (const chunk of chunks(scoped, (entry) => clauses(entry.rule.query), maxClauses)) {
    let matches: Map<string, EventHit[]>;
    try {
      matches = await matchChunk(context, chunk);
    } catch (whole) {
      // One query the cluster refuses fails the chunk's search: find it by running the rules one by one.
      matches = new Map();
      for (const entry of chunk)
        try {
          matches = new Map([...matches, ...(await matchChunk(context, [entry]))]);
        } catch (error) {
          out.set(entry.rule.id, error instanceof Error ? error : (whole as Error));
        }
    }
    for (const { rule } of chunk)
      if (!out.has(rule.id)) out.set(rule.id, candidatesOf(rule, matches.get(rule.id) ?? []));
  }
  return out;
}

/** The events each rule of a chunk matches in its scope, from one paged search with named rule queries. */
async function matchChunk(
  context: EvaluationContext,
  chunk: { rule: CompiledQueryRule; scope: Scope }[],
): Promise<Map<string, EventHit[]>> {
  const field = chunk[0]!.scope.field;
  const union: Scope = { field, ranges: mergeRanges(chunk.flatMap((c) => c.scope.ranges)) };
  const index = [...new Set(chunk.flatMap(({ rule }) => rule.index))];
  const entries = new Map(chunk.map((c) => [c.rule.id, { ...c, inIndex: picomatch(c.rule.index) }]));
  const named = chunk.map(({ rule }) => ({ bool: { filter: [rule.query], _name: rule.id } }));
  const matches = new Map<string, EventHit[]>(chunk.map(({ rule }) => [rule.id, []]));
  const pages = context.cluster.scroll<Record<string, unknown>>(index, {
    sort: ['_doc'], // never a date: see fetchEvents
    _source: { excludes: ['event.original'] },
    docvalue_fields: TIME_FIELDS,
    query: {
      bool: {
        filter: [scopeFilter(union), ...markerFilters(context)],
        should: named,
        minimum_should_match: 1,
      },
    },
  });
  for await (const hits of pages)
    for (const hit of hits) {
      const event = toEvent(hit);
      for (const id of hit.matched_queries ?? []) {
        const entry = entries.get(id);
        if (!entry || !entry.inIndex(event.index)) continue;
        if (inScope(entry.scope, field === '@timestamp' ? event.time : event.ingested))
          matches.get(id)!.push(event);
      }
    }
  return matches;
}

/** Entries in groups whose combined queries stay within the clause limit (an entry over it goes alone). */
export function chunks<T>(scoped: T[], cost: (entry: T) => number, maxClauses: number): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let used = 0;
  for (const entry of scoped) {
    const price = cost(entry);
    if (current.length > 0 && used + price > maxClauses) {
      out.push(current);
      current = [];
      used = 0;
    }
    current.push(entry);
    used += price;
  }
  if (current.length) out.push(current);
  return out;
}

/** What a query costs against the clause limit: every leaf query, and every value of a `terms` query. */
export function clauses(query: unknown): number {
  if (Array.isArray(query)) return query.reduce((sum: number, q) => sum + clauses(q), 0);
  if (!query || typeof query !== 'object') return 0;
  const [[type, body] = []] = Object.entries(query as Dsl);
  if (type === 'bool')
    return Object.values(body as Record<string, unknown>).reduce(
      (sum: number, part) => sum + (typeof part === 'object' ? clauses(part) : 0),
      0,
    );
  if (type === 'terms')
    return Object.values(body as Record<string, unknown>).reduce(
      (sum: number, values) => sum + (Array.isArray(values) ? values.length : 1),
      0,
    );
  return 1;
}

/**
 * One candidate per matching event, or per group (and replay run) and
 * suppression bucket when the rule groups. An event lacking a group-by field alerts on its own: suppression
 * must never hide a match.
 */
export function candidatesOf(rule: CompiledQueryRule, events: EventHit[]): Candidate[] {
  const alone = (event: EventHit): Candidate => ({
    rule,
    group: { _index: event.index, _id: event.id },
    anchor: event.time,
    events: [event],
  });
  if (rule.groupBy.length === 0) return events.map(alone);
  const buckets = new Map<string, Candidate>();
  for (const event of events.sort((a, b) => a.time - b.time)) {
    const group = groupOf(event, [...rule.groupBy, RUN_FIELD]) ?? groupOf(event, rule.groupBy);
    if (!group) {
      buckets.set(JSON.stringify([event.index, event.id]), alone(event));
      continue;
    }
    const bucket = rule.suppressionMs > 0 ? Math.floor(event.time / rule.suppressionMs) : event.time;
    const key = JSON.stringify([group, bucket]);
    const existing = buckets.get(key);
    if (existing) existing.events.push(event);
    else buckets.set(key, { rule, group, anchor: event.time, events: [event] });
  }
  return [...buckets.values()];
}
