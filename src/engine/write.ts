import { FiredrillError } from '../errors.js';
import { alertDocument, alertId, suppressionSpan } from './alert.js';
import { groupKey, type Candidate } from './candidate.js';
import { firstActivity, subjectOfEvents } from './first-activity.js';
import { markerFilters, rangeFilter, type EvaluationContext, type Scope } from './scope.js';

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
 * ids and create-only semantics, so a 409 means "already alerted". The caller refreshes the alerts index
 * before it saves checkpoints, so the next run's suppression check sees them.
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
    const activity = rule.includeFirstActivity
      ? await firstActivity(
          context,
          rule,
          subjectOfEvents(candidate.events),
          rule.includeFirstActivity.withinMs,
          scope,
        )
      : undefined;
    const doc = alertDocument(candidate, {
      marker: context.marker,
      now: context.now,
      firstActivity: activity,
    });
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
