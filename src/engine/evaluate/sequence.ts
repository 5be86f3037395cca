import type { CompiledSequenceRule } from '../../compile/types.js';
import { groupOf, type Candidate } from '../candidate.js';
import { firstString, type EventHit } from '../fields.js';
import {
  fetchEvents,
  markerFilters,
  rangeFilter,
  scopeFilter,
  visibleFilter,
  type EvaluationContext,
  type Scope,
} from '../scope.js';
import { groupRanges } from './groups.js';

/** Join values whose steps are read per round of searches. */
const BATCH = 500;

/**
 * Sequence: for each step an aggregation finds the join values of its new events; for those values each
 * step's events within one max span either side are read (bounded), and the engine joins them in memory:
 * step N strictly after step N-1, the whole chain within the max span, joined on each step's own field.
 */
export async function evaluateSequenceRule(
  context: EvaluationContext,
  rule: CompiledSequenceRule,
  scope: Scope,
): Promise<Candidate[]> {
  const spans = new Map<string, { min: number; max: number }>();
  for (const step of rule.steps) {
    const ranges = await groupRanges(context, rule.index, [step.query, scopeFilter(scope)], [step.joinField]);
    for (const { group, min, max } of ranges) {
      const value = group[step.joinField]!;
      const known = spans.get(value);
      spans.set(value, { min: Math.min(min, known?.min ?? min), max: Math.max(max, known?.max ?? max) });
    }
  }
  const values = [...spans.keys()];
  const candidates: Candidate[] = [];
  for (let start = 0; start < values.length; start += BATCH) {
    const slice = values.slice(start, start + BATCH);
    const from = Math.min(...slice.map((v) => spans.get(v)!.min)) - rule.maxSpanMs;
    const to = Math.max(...slice.map((v) => spans.get(v)!.max)) + rule.maxSpanMs + 1;
    const batch = await inEveryStep(context, rule, scope, slice, { from, to });
    if (batch.length === 0) continue;
    const perStep = await Promise.all(
      rule.steps.map((step) =>
        fetchEvents(
          context,
          rule.index,
          [step.query, visibleFilter(scope), { terms: { [step.joinField]: batch } }],
          { field: '@timestamp', from, to },
        ),
      ),
    );
    for (const value of batch) {
      const stepEvents = perStep.map((events, i) =>
        events.filter((event) => firstString(event.source, rule.steps[i]!.joinField) === value),
      );
      for (const chain of chains(rule, stepEvents)) {
        const group = { [rule.steps[0]!.joinField]: value, ...(groupOf(chain[0]!, rule.groupBy) ?? {}) };
        candidates.push({
          rule,
          group,
          anchor: chain[0]!.time,
          events: chain,
          steps: chain.map((event, i) => ({ name: rule.steps[i]!.name, event })),
        });
      }
    }
  }
  return candidates;
}

/** The join values that have events for every step in the range: only their events are worth reading. */
async function inEveryStep(
  context: EvaluationContext,
  rule: CompiledSequenceRule,
  scope: Scope,
  values: string[],
  range: { from: number; to: number },
): Promise<string[]> {
  let present = values;
  for (const step of rule.steps) {
    if (present.length === 0) break;
    const res = await context.cluster.search<unknown, { values: { buckets: { key: unknown }[] } }>(
      rule.index,
      {
        size: 0,
        query: {
          bool: {
            filter: [
              step.query,
              visibleFilter(scope),
              ...markerFilters(context),
              { terms: { [step.joinField]: present } },
              rangeFilter('@timestamp', range.from, range.to),
            ],
          },
        },
        aggs: { values: { terms: { field: step.joinField, size: present.length } } },
      },
    );
    const found = new Set((res.aggregations?.values.buckets ?? []).map((b) => String(b.key)));
    present = present.filter((value) => found.has(value));
  }
  return present;
}

/**
 * Complete, non-overlapping chains for one join value: from each possible first step the earliest strictly
 * later event of every next step, kept if the chain fits the max span; the next chain starts after this one.
 */
export function chains(rule: CompiledSequenceRule, stepEvents: EventHit[][]): EventHit[][] {
  const out: EventHit[][] = [];
  let notBefore = -Infinity;
  for (const first of stepEvents[0] ?? []) {
    if (first.time <= notBefore) continue;
    const chain = [first];
    for (const events of stepEvents.slice(1)) {
      const previous = chain[chain.length - 1]!;
      const next = events.find((e) => e.time > previous.time && e.time - first.time <= rule.maxSpanMs);
      if (!next) break;
      chain.push(next);
    }
    if (chain.length === rule.steps.length) {
      out.push(chain);
      notBefore = chain[chain.length - 1]!.time;
    }
  }
  return out;
}
