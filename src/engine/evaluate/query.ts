import type { CompiledQueryRule } from '../../compile/types.js';
import { groupOf, type Candidate } from '../candidate.js';
import type { EventHit } from '../fields.js';
import { globMatcher } from '../rules.js';
import { fetchEvents, scopeFilter, type EvaluationContext, type Scope } from '../scope.js';

/** Events percolated per request: one request evaluates a batch against every query rule at once. */
const BATCH = 500;

/**
 * Evaluates query rules that share indices and scope: new events are fetched once and percolated in
 * batches against all of those rules' stored queries; `_percolator_document_slot` maps hits back to events.
 */
export async function evaluateQueryRules(
  context: EvaluationContext,
  rulesIndex: string,
  rules: CompiledQueryRule[],
  scope: Scope,
): Promise<Map<string, Candidate[]>> {
  const byId = new Map(rules.map((rule) => [rule.id, rule]));
  const matches = new Map<string, EventHit[]>(rules.map((rule) => [rule.id, []]));
  const index = [...new Set(rules.flatMap((rule) => rule.index))];
  const events = await fetchEvents(context, index, [scopeFilter(scope)], scope);
  for (let start = 0; start < events.length; start += BATCH) {
    const batch = events.slice(start, start + BATCH);
    const res = await context.cluster.search<{ firedrill_rule_id: string }>(rulesIndex, {
      size: rules.length,
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
      const rule = byId.get(hit._source.firedrill_rule_id);
      if (!rule) continue;
      const slots = (hit.fields?._percolator_document_slot ?? []) as number[];
      for (const slot of slots) {
        const event = batch[slot];
        // A rule sees only events from its own indices.
        if (event && globMatcher(rule.index.join(','))(event.index)) matches.get(rule.id)!.push(event);
      }
    }
  }
  const out = new Map<string, Candidate[]>();
  for (const [ruleId, hits] of matches) out.set(ruleId, candidatesOf(byId.get(ruleId)!, hits));
  return out;
}

/** One candidate per matching event, or per group and suppression bucket when the rule groups. */
function candidatesOf(rule: CompiledQueryRule, events: EventHit[]): Candidate[] {
  if (rule.groupBy.length === 0)
    return events.map((event) => ({
      rule,
      group: { _index: event.index, _id: event.id },
      anchor: event.time,
      events: [event],
    }));
  const buckets = new Map<string, Candidate>();
  for (const event of events.sort((a, b) => a.time - b.time)) {
    const group = groupOf(event, rule.groupBy);
    if (!group) continue;
    const bucket = rule.suppressionMs > 0 ? Math.floor(event.time / rule.suppressionMs) : event.time;
    const key = JSON.stringify([group, bucket]);
    const existing = buckets.get(key);
    if (existing) existing.events.push(event);
    else buckets.set(key, { rule, group, anchor: event.time, events: [event] });
  }
  return [...buckets.values()];
}
