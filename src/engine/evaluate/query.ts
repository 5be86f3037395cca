import type { CompiledQueryRule } from '../../compile/types.js';
import { groupOf, type Candidate } from '../candidate.js';
import type { EventHit } from '../fields.js';
import { globMatcher } from '../rules.js';
import { fetchEvents, type EvaluationContext, type Scope } from '../scope.js';

/** Events percolated per request: one request evaluates a batch against every query rule at once. */
const BATCH = 500;

/**
 * Evaluates every query rule at once: the new events of all their scopes are fetched in one pass (only
 * events at least one rule can match) and percolated in batches against all the stored queries;
 * `_percolator_document_slot` maps each hit back to its event, which counts for a rule only if it lies in
 * that rule's indices and scope.
 */
export async function evaluateQueryRules(
  context: EvaluationContext,
  rulesIndex: string,
  scoped: { rule: CompiledQueryRule; scope: Scope }[],
): Promise<Map<string, Candidate[]>> {
  const out = new Map<string, Candidate[]>();
  if (scoped.length === 0) return out;
  const byId = new Map(
    scoped.map((entry) => [entry.rule.id, { ...entry, inIndex: globMatcher(entry.rule.index.join(',')) }]),
  );
  const matches = new Map<string, EventHit[]>(scoped.map(({ rule }) => [rule.id, []]));
  const field = scoped[0]!.scope.field;
  const range = {
    field,
    from: Math.min(...scoped.map((s) => s.scope.from)),
    to: Math.max(...scoped.map((s) => s.scope.to)),
  };
  const index = [...new Set(scoped.flatMap(({ rule }) => rule.index))];
  const anyRule = { bool: { should: scoped.map(({ rule }) => rule.query), minimum_should_match: 1 } };
  const events = await fetchEvents(context, index, [anyRule], range);
  for (let start = 0; start < events.length; start += BATCH) {
    const batch = events.slice(start, start + BATCH);
    const res = await context.cluster.search<{ firedrill_rule_id: string }>(rulesIndex, {
      size: byId.size,
      _source: ['firedrill_rule_id'],
      query: {
        bool: {
          filter: [
            { percolate: { field: 'firedrill_percolator', documents: batch.map((event) => event.source) } },
            { terms: { firedrill_rule_id: [...byId.keys()] } },
          ],
        },
      },
    });
    for (const hit of res.hits.hits) {
      const entry = byId.get(hit._source.firedrill_rule_id);
      if (!entry) continue;
      for (const slot of (hit.fields?._percolator_document_slot ?? []) as number[]) {
        const event = batch[slot];
        if (!event || !entry.inIndex(event.index)) continue;
        const at = field === '@timestamp' ? event.time : event.ingested;
        if (at !== undefined && at >= entry.scope.from && at < entry.scope.to)
          matches.get(entry.rule.id)!.push(event);
      }
    }
  }
  for (const [ruleId, hits] of matches) out.set(ruleId, candidatesOf(byId.get(ruleId)!.rule, hits));
  return out;
}

/**
 * One candidate per matching event, or per group and suppression bucket when the rule groups.
 * An event lacking a group-by field alerts on its own: suppression must never hide a match.
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
    const group = groupOf(event, rule.groupBy);
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
