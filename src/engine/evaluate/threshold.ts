import type { CompiledThresholdRule } from '../../compile/types.js';
import type { Candidate } from '../candidate.js';
import { firstString, type EventHit } from '../fields.js';
import {
  fetchEvents,
  rangeFilter,
  scopeFilter,
  visibleFilter,
  type EvaluationContext,
  type Scope,
} from '../scope.js';
import { groupFilters, groupPages } from './groups.js';

/**
 * Threshold: aggregations find the groups that have new events; for each, the events within one window
 * either side of those new events are read and scanned with a sliding window, so a burst that straddles
 * run boundaries, or completes with a late event, is still counted whole.
 */
export async function evaluateThresholdRule(
  context: EvaluationContext,
  rule: CompiledThresholdRule,
  scope: Scope,
): Promise<Candidate[]> {
  const { windowMs } = rule.threshold;
  const candidates: Candidate[] = [];
  for await (const page of groupPages(context, rule.index, [rule.query, scopeFilter(scope)], rule.groupBy))
    for (const { group, min, max } of page) {
      const events = await fetchEvents(context, rule.index, [
        rule.query,
        visibleFilter(scope),
        ...groupFilters(group),
        rangeFilter('@timestamp', min - windowMs, max + windowMs + 1),
      ]);
      for (const window of crossings(rule, events))
        candidates.push({ rule, group, anchor: window[window.length - 1]!.time, events: window });
    }
  return candidates;
}

/**
 * Non-overlapping windows (oldest first) in which the count, or the distinct count of the cardinality
 * field, reaches the threshold; each window ends at the event that crossed it.
 */
export function crossings(rule: CompiledThresholdRule, events: EventHit[]): EventHit[][] {
  const { value, windowMs, cardinalityField } = rule.threshold;
  const out: EventHit[][] = [];
  const distinct = new Map<string, number>();
  const keyOf = (event: EventHit): string | undefined =>
    cardinalityField ? firstString(event.source, cardinalityField) : undefined;
  const add = (event: EventHit, delta: number): void => {
    const key = keyOf(event);
    if (key === undefined) return;
    const count = (distinct.get(key) ?? 0) + delta;
    if (count === 0) distinct.delete(key);
    else distinct.set(key, count);
  };
  let start = 0;
  for (let end = 0; end < events.length; end++) {
    add(events[end]!, 1);
    while (events[end]!.time - events[start]!.time > windowMs) add(events[start++]!, -1);
    const reached = cardinalityField ? distinct.size >= value : end - start + 1 >= value;
    if (reached) {
      out.push(events.slice(start, end + 1));
      distinct.clear();
      start = end + 1;
    }
  }
  return out;
}
