import type { CompiledSequenceRule, Dsl } from '../../compile/types.js';
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
import { groupPages, RUN_FIELD } from './groups.js';

/** Join-value tuples read per round of searches; a tuple of k fields costs k clauses in a filter. */
const CLAUSES_PER_ROUND = 400;

/** One join key: the values of a step's join fields, in order (the same meaning for every step). */
type JoinKey = string;

/**
 * Sequence: for each step an aggregation finds the join keys (the values of the step's own join fields) of
 * its new events; for those keys each step's events within one max span either side are read, and the
 * engine joins them in memory: each step at or after the one before it (the same second counts as in
 * order: CloudTrail has one-second timestamps), the whole chain within the max span, no event used twice.
 */
export async function evaluateSequenceRule(
  context: EvaluationContext,
  rule: CompiledSequenceRule,
  scope: Scope,
): Promise<Candidate[]> {
  const spans = new Map<JoinKey, { values: string[]; min: number; max: number }>();
  for (const step of rule.steps)
    for await (const page of groupPages(
      context,
      rule.index,
      [step.query, scopeFilter(scope)],
      step.join,
      true,
    ))
      for (const { group, min, max } of page) {
        const values = joinFields(step.join).map((field) => group[field] ?? NONE);
        const key = JSON.stringify(values);
        const known = spans.get(key);
        spans.set(key, {
          values,
          min: Math.min(min, known?.min ?? min),
          max: Math.max(max, known?.max ?? max),
        });
      }
  const keys = [...spans.keys()];
  const batch = Math.max(1, Math.floor(CLAUSES_PER_ROUND / joinFields(rule.steps[0]!.join).length));
  const candidates: Candidate[] = [];
  for (let start = 0; start < keys.length; start += batch) {
    const slice = keys.slice(start, start + batch).map((key) => spans.get(key)!);
    const range = {
      from: Math.min(...slice.map((s) => s.min)) - rule.maxSpanMs,
      to: Math.max(...slice.map((s) => s.max)) + rule.maxSpanMs + 1,
    };
    const present = await inEveryStep(
      context,
      rule,
      scope,
      slice.map((s) => s.values),
      range,
    );
    if (present.length === 0) continue;
    const perStep = await Promise.all(
      rule.steps.map((step) =>
        fetchEvents(context, rule.index, [
          step.query,
          visibleFilter(scope),
          joinFilter(joinFields(step.join), present),
          rangeFilter('@timestamp', range.from, range.to),
        ]),
      ),
    );
    const byKey = perStep.map((events, i) => groupByKey(events, joinFields(rule.steps[i]!.join)));
    for (const values of present) {
      const key = JSON.stringify(values);
      for (const chain of chains(
        rule,
        byKey.map((m) => m.get(key) ?? []),
      )) {
        const joined = Object.fromEntries(
          joinFields(rule.steps[0]!.join)
            .map((field, j) => [field, values[j]!])
            .filter(([, value]) => value !== NONE),
        );
        candidates.push({
          rule,
          group: { ...joined, ...(groupOf(chain[0]!, rule.groupBy) ?? {}) },
          anchor: Math.min(...chain.map((e) => e.time)),
          events: chain,
          steps: chain.map((event, i) => ({ name: rule.steps[i]!.name, event })),
        });
      }
    }
  }
  return candidates;
}

/** The join keys that have events for every step in the range: only their events are worth reading. */
async function inEveryStep(
  context: EvaluationContext,
  rule: CompiledSequenceRule,
  scope: Scope,
  keys: string[][],
  range: { from: number; to: number },
): Promise<string[][]> {
  let present = keys;
  for (const step of rule.steps) {
    if (present.length === 0) break;
    const found = new Set<JoinKey>();
    for await (const page of groupPages(
      context,
      rule.index,
      [
        step.query,
        visibleFilter(scope),
        ...markerFilters(context),
        joinFilter(joinFields(step.join), present),
        rangeFilter('@timestamp', range.from, range.to),
      ],
      step.join,
      true,
    ))
      for (const { group } of page)
        found.add(JSON.stringify(joinFields(step.join).map((field) => group[field] ?? NONE)));
    present = present.filter((values) => found.has(JSON.stringify(values)));
  }
  return present;
}

/**
 * A join field an event lacks counts as one more value: events without it join only each other (a live
 * event has no marker; a Graph-API Entra ID export has no tenant). A step's `where` can require the field.
 */
const NONE = '';

/** A step's join fields, and the marker: replay runs never chain with each other or with live events. */
function joinFields(join: string[]): string[] {
  return [...join, RUN_FIELD];
}

/** Events whose join fields hold one of the keys. */
function joinFilter(fields: string[], keys: string[][]): Dsl {
  const test = (field: string, value: string): Dsl =>
    value === NONE ? { bool: { must_not: [{ exists: { field } }] } } : { term: { [field]: value } };
  return {
    bool: {
      should: keys.map((values) => ({ bool: { filter: fields.map((field, j) => test(field, values[j]!)) } })),
      minimum_should_match: 1,
    },
  };
}

/** A step's events by join key, each list oldest first and, within a second, in id order. */
function groupByKey(events: EventHit[], fields: string[]): Map<JoinKey, EventHit[]> {
  const out = new Map<JoinKey, EventHit[]>();
  for (const event of events) {
    const values = fields.map((field) => firstString(event.source, field) ?? NONE);
    const key = JSON.stringify(values);
    out.set(key, [...(out.get(key) ?? []), event]);
  }
  for (const list of out.values()) list.sort(byTime);
  return out;
}

/** Oldest first; events of the same time in a fixed order, so where a record sat in its file never matters. */
function byTime(a: EventHit, b: EventHit): number {
  return a.time - b.time || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * Complete, non-overlapping chains for one join key: from each possible first step, the earliest event of
 * every next step at or after the step before it (a strictly earlier one breaks the order), kept if the
 * chain fits the max span; no event serves twice, and the next chain starts where this one ended.
 */
export function chains(rule: CompiledSequenceRule, stepEvents: EventHit[][]): EventHit[][] {
  if (rule.ordered === false) return unorderedChains(rule, stepEvents);
  const out: EventHit[][] = [];
  const used = new Set<string>();
  const id = (e: EventHit) => `${e.index}/${e.id}`;
  let notBefore = -Infinity;
  for (const first of [...(stepEvents[0] ?? [])].sort(byTime)) {
    if (first.time < notBefore || used.has(id(first))) continue;
    const chain = [first];
    for (const events of stepEvents.slice(1)) {
      const previous = chain[chain.length - 1]!;
      const next = [...events]
        .sort(byTime)
        .find(
          (e) =>
            e.time >= previous.time &&
            e.time - first.time <= rule.maxSpanMs &&
            !used.has(id(e)) &&
            !chain.some((c) => id(c) === id(e)),
        );
      if (!next) break;
      chain.push(next);
    }
    if (chain.length === rule.steps.length) {
      out.push(chain);
      for (const e of chain) used.add(id(e));
      notBefore = chain[chain.length - 1]!.time;
    }
  }
  return out;
}

/**
 * `ordered: false`: one event of every step, in any order, the latest within the max span of the earliest.
 * Every event, oldest first, is tried as the earliest of a set; each other step takes its earliest unused
 * event at or after it (the same second counts) and within the span; no event serves twice, and the next
 * set starts where this one ended. The result lists the events by step, like an ordered chain.
 */
function unorderedChains(rule: CompiledSequenceRule, stepEvents: EventHit[][]): EventHit[][] {
  const out: EventHit[][] = [];
  const used = new Set<string>();
  const id = (e: EventHit) => `${e.index}/${e.id}`;
  const sorted = stepEvents.map((events) => [...events].sort(byTime));
  const starts = sorted
    .flatMap((events, step) => events.map((event) => ({ event, step })))
    .sort((a, b) => byTime(a.event, b.event) || a.step - b.step);
  let notBefore = -Infinity;
  for (const { event: first, step } of starts) {
    if (first.time < notBefore || used.has(id(first))) continue;
    const set: EventHit[] = [];
    set[step] = first;
    const taken = new Set([id(first)]);
    let complete = true;
    for (let s = 0; s < sorted.length && complete; s++) {
      if (s === step) continue;
      const next = sorted[s]!.find(
        (e) =>
          e.time >= first.time &&
          e.time - first.time <= rule.maxSpanMs &&
          !used.has(id(e)) &&
          !taken.has(id(e)),
      );
      if (!next) complete = false;
      else {
        set[s] = next;
        taken.add(id(next));
      }
    }
    if (!complete) continue;
    out.push(set);
    for (const e of set) used.add(id(e));
    notBefore = Math.max(...set.map((e) => e.time));
  }
  return out;
}
