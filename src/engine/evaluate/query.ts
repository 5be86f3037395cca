import picomatch from 'picomatch';
import type { CompiledQueryRule, Dsl } from '../../compile/types.js';
import { describeError } from '../../errors.js';
import { groupOf, type Candidate } from '../candidate.js';
import type { EventHit } from '../fields.js';
import { isolatesRuns, RUN_FIELD } from './groups.js';
import {
  inScope,
  mergeRanges,
  scanEvents,
  scopeFilter,
  type EvaluationContext,
  type Scope,
} from '../scope.js';

/** Events percolated per request: one request evaluates a batch against every query rule of a chunk. */
const BATCH = 500;

/** The cluster's limit on query clauses when it does not say (`indices.query.bool.max_clause_count`). */
export const DEFAULT_MAX_CLAUSES = 1024;

/** Per rule: its candidates, or why it could not be evaluated (one rule's failure never stops the others). */
export type QueryOutcome = Candidate[] | Error;

/**
 * Evaluates query rules together: the rules are split into chunks whose combined query stays within the
 * cluster's clause limit; for each chunk the new events that at least one of its rules can match are paged
 * through once and percolated in batches against the chunk's stored queries; `_percolator_document_slot`
 * maps each hit back to its event, which counts for a rule only if it lies in that rule's indices and scope.
 */
export async function evaluateQueryRules(
  context: EvaluationContext,
  rulesIndex: string,
  scoped: { rule: CompiledQueryRule; scope: Scope }[],
  maxClauses = DEFAULT_MAX_CLAUSES,
): Promise<Map<string, QueryOutcome>> {
  const out = new Map<string, QueryOutcome>();
  for (const chunk of chunks(scoped, maxClauses)) {
    const matches = new Map<string, EventHit[]>(chunk.map(({ rule }) => [rule.id, []]));
    const failed = new Map<string, Error>();
    try {
      await percolateChunk(context, rulesIndex, chunk, maxClauses, matches, failed);
    } catch (error) {
      // Reading the events failed: no rule of this chunk can be evaluated this run.
      for (const { rule } of chunk) failed.set(rule.id, error as Error);
    }
    for (const { rule } of chunk)
      out.set(
        rule.id,
        failed.get(rule.id) ?? candidatesOf(rule, matches.get(rule.id)!, isolatesRuns(context)),
      );
  }
  return out;
}

async function percolateChunk(
  context: EvaluationContext,
  rulesIndex: string,
  chunk: { rule: CompiledQueryRule; scope: Scope }[],
  maxClauses: number,
  matches: Map<string, EventHit[]>,
  failed: Map<string, Error>,
): Promise<void> {
  const field = chunk[0]!.scope.field;
  const union: Scope = { field, ranges: mergeRanges(chunk.flatMap((c) => c.scope.ranges)) };
  const index = [...new Set(chunk.flatMap(({ rule }) => rule.index))];
  // A rule bigger than the limit is in a chunk of its own and is percolated without a pre-filter.
  const prefilter = chunk.some(({ rule }) => clauses(rule.query) > maxClauses)
    ? []
    : [{ bool: { should: chunk.map(({ rule }) => rule.query), minimum_should_match: 1 } }];
  const entries = new Map(chunk.map((c) => [c.rule.id, { ...c, inIndex: picomatch(c.rule.index) }]));
  const percolate = async (batch: EventHit[], ids: string[]) => {
    const res = await context.cluster.search<{ firedrill_rule_id: string }>(rulesIndex, {
      size: ids.length,
      _source: ['firedrill_rule_id'],
      query: {
        bool: {
          filter: [
            { percolate: { field: 'firedrill_percolator', documents: batch.map((event) => event.source) } },
            { terms: { firedrill_rule_id: ids } },
          ],
        },
      },
    });
    for (const hit of res.hits.hits) {
      const entry = entries.get(hit._source.firedrill_rule_id);
      if (!entry) continue;
      for (const slot of (hit.fields?._percolator_document_slot ?? []) as number[]) {
        const event = batch[slot];
        if (!event || !entry.inIndex(event.index)) continue;
        if (inScope(entry.scope, field === '@timestamp' ? event.time : event.ingested))
          matches.get(entry.rule.id)!.push(event);
      }
    }
  };
  for await (const page of scanEvents(context, index, [...prefilter, scopeFilter(union)]))
    for (let start = 0; start < page.length; start += BATCH) {
      const batch = page.slice(start, start + BATCH);
      const live = [...entries.keys()].filter((id) => !failed.has(id));
      if (live.length === 0) return;
      try {
        await percolate(batch, live);
      } catch {
        // One stored query the cluster refuses fails the whole percolation: find it rule by rule.
        for (const id of live)
          await percolate(batch, [id]).catch((error: unknown) =>
            failed.set(id, new Error(`percolating its query failed: ${describeError(error)}`)),
          );
      }
    }
}

/** Rules in groups whose combined pre-filter stays within the clause limit (a rule over it goes alone). */
function chunks<T extends { rule: CompiledQueryRule }>(scoped: T[], maxClauses: number): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let used = 0;
  for (const entry of scoped) {
    const cost = clauses(entry.rule.query);
    if (current.length > 0 && used + cost > maxClauses) {
      out.push(current);
      current = [];
      used = 0;
    }
    current.push(entry);
    used += cost;
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
 * One candidate per matching event, or per group (and replay run, when the evaluation keeps runs apart) and
 * suppression bucket when the rule groups. An event lacking a group-by field alerts on its own: suppression
 * must never hide a match.
 */
export function candidatesOf(rule: CompiledQueryRule, events: EventHit[], isolate = false): Candidate[] {
  const alone = (event: EventHit): Candidate => ({
    rule,
    group: { _index: event.index, _id: event.id },
    anchor: event.time,
    events: [event],
  });
  if (rule.groupBy.length === 0) return events.map(alone);
  const buckets = new Map<string, Candidate>();
  for (const event of events.sort((a, b) => a.time - b.time)) {
    const group =
      groupOf(event, isolate ? [...rule.groupBy, RUN_FIELD] : rule.groupBy) ?? groupOf(event, rule.groupBy);
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
