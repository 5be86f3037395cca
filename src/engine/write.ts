import { FiredrillError } from '../errors.js';
import { alertDocument, alertId, suppressionSpan } from './alert.js';
import { groupKey, type Candidate } from './candidate.js';
import { distinctValues, type EventHit } from './fields.js';
import {
  markerFilters,
  TIME_FIELDS,
  rangeFilter,
  toEvent,
  visibleFilter,
  type EvaluationContext,
  type Scope,
} from './scope.js';

/** First-activity events kept per alert. */
const FIRST_ACTIVITY = 20;

export interface WriteOutcome {
  /** New alerts written. */
  written: number;
  /** Alerts that already existed (same id): the finding was alerted before. */
  duplicates: number;
  /** Findings within the suppression span of an existing alert for the same group. */
  suppressed: number;
  /** Findings dropped because the rule reached `maxAlerts` in this run. */
  dropped: number;
  /** Ids of the alerts written. */
  ids: string[];
}

/**
 * Writes one rule's findings as alerts, exactly once: findings within the suppression span of an alert
 * already in the cluster (or earlier in this batch) are suppressed, the rest are created with deterministic
 * ids and create-only semantics, so a 409 means "already alerted". Refreshes before returning so the next
 * run's suppression check sees them — callers advance checkpoints only after this resolves.
 */
export async function writeAlerts(
  context: EvaluationContext & { alertsIndex: string; now: number },
  candidates: Candidate[],
  scope: Scope,
): Promise<WriteOutcome> {
  const outcome: WriteOutcome = { written: 0, duplicates: 0, suppressed: 0, dropped: 0, ids: [] };
  if (candidates.length === 0) return outcome;
  const rule = candidates[0]!.rule;
  const span = suppressionSpan(rule);
  const existing = span > 0 ? await existingAnchors(context, candidates, span) : new Map<string, number[]>();
  const accepted: Candidate[] = [];
  for (const candidate of [...candidates].sort((a, b) => a.anchor - b.anchor)) {
    const key = groupKey(candidate.group);
    const anchors = existing.get(key) ?? [];
    if (span > 0 && anchors.some((anchor) => Math.abs(anchor - candidate.anchor) < span)) {
      outcome.suppressed++;
      continue;
    }
    if (accepted.length >= rule.maxAlerts) {
      outcome.dropped++;
      continue;
    }
    accepted.push(candidate);
    existing.set(key, [...anchors, candidate.anchor]);
  }
  const actions: { create: { _index: string; _id: string }; doc: unknown }[] = [];
  for (const candidate of accepted) {
    const firstActivity = rule.includeFirstActivity
      ? await firstActivityOf(context, candidate, rule.includeFirstActivity.withinMs, scope)
      : undefined;
    const doc = alertDocument(candidate, { marker: context.marker, now: context.now, firstActivity });
    actions.push({ create: { _index: context.alertsIndex, _id: alertId(candidate, context.marker) }, doc });
  }
  const results = await context.cluster.bulk(actions);
  results.forEach((result, i) => {
    if (result.status === 201) {
      outcome.written++;
      outcome.ids.push(actions[i]!.create._id);
    } else if (result.status === 409) outcome.duplicates++;
    else
      throw new FiredrillError(
        `writing alert for rule ${rule.id} failed (${result.status}): ${result.error?.reason ?? 'unknown error'}`,
      );
  });
  return outcome;
}

/** Anchors of existing alerts for the candidates' groups near their anchors, by group. */
async function existingAnchors(
  context: EvaluationContext & { alertsIndex: string },
  candidates: Candidate[],
  span: number,
): Promise<Map<string, number[]>> {
  const anchors = candidates.map((c) => c.anchor);
  const res = await context.cluster.search<{ firedrill: { alert: { group: string; anchor: string } } }>(
    context.alertsIndex,
    {
      size: 10_000,
      _source: ['firedrill.alert.group', 'firedrill.alert.anchor'],
      query: {
        bool: {
          filter: [
            { term: { 'rule.id': candidates[0]!.rule.id } },
            { terms: { 'firedrill.alert.group': [...new Set(candidates.map((c) => groupKey(c.group)))] } },
            rangeFilter('firedrill.alert.anchor', Math.min(...anchors) - span, Math.max(...anchors) + span),
            ...markerFilters(context),
          ],
          must_not: context.marker ? [] : [{ exists: { field: 'firedrill.marker' } }],
        },
      },
    },
  );
  const out = new Map<string, number[]>();
  for (const hit of res.hits.hits) {
    const { group, anchor } = hit._source.firedrill.alert;
    out.set(group, [...(out.get(group) ?? []), Date.parse(anchor)]);
  }
  return out;
}

/**
 * What the created account (or its new key) did within `withinMs` after the first evidence event: events
 * whose actor is one of the target accounts, or that carry one of the generated key ids.
 */
async function firstActivityOf(
  context: EvaluationContext,
  candidate: Candidate,
  withinMs: number,
  scope: Scope,
): Promise<EventHit[]> {
  const sources = candidate.events.map((e) => e.source);
  const targets = distinctValues(sources, 'user.target.name');
  const keys = distinctValues(sources, 'firedrill.credential.id');
  const should = [
    ...(targets.length
      ? [{ terms: { 'user.name': targets } }, { terms: { 'firedrill.actor.ids': targets } }]
      : []),
    ...(keys.length ? [{ terms: { 'firedrill.credential.id': keys } }] : []),
  ];
  if (should.length === 0) return [];
  const start = Math.min(...candidate.events.map((e) => e.time));
  const res = await context.cluster.search<Record<string, unknown>>(candidate.rule.index, {
    size: FIRST_ACTIVITY,
    sort: [{ '@timestamp': { order: 'asc' } }],
    docvalue_fields: TIME_FIELDS,
    query: {
      bool: {
        filter: [
          rangeFilter('@timestamp', start, start + withinMs + 1),
          visibleFilter(scope),
          ...markerFilters(context),
        ],
        should,
        minimum_should_match: 1,
        must_not: [{ ids: { values: candidate.events.map((e) => e.id) } }],
      },
    },
  });
  return res.hits.hits.map(toEvent);
}
