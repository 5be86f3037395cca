import { FiredrillError } from '../errors.js';
import { alertDocument, alertId, suppressionSpan } from './alert.js';
import { groupKey, type Candidate } from './candidate.js';
import { firstActivity, subjectOfEvents } from './first-activity.js';
import { rangeFilter, type EvaluationContext, type Scope } from './scope.js';

export interface WriteOutcome {
  /** New alerts written. */
  written: number;
  /** Alerts that already existed (same id): the finding was alerted before. */
  duplicates: number;
  /** Findings within the suppression span of an existing alert for the same group. */
  suppressed: number;
  /** Findings dropped because the rule reached its alert cap (`alertCap`) in this run. */
  dropped: number;
  /** Ids of the alerts written. */
  ids: string[];
}

/**
 * `max_alerts` caps a live run; a backfill (a scope of event times) counts as one run per schedule interval
 * it covers, as if the live engine had run over that time: a day's backfill must not lose the attacks of
 * its later hours to the cap of a single run.
 */
export function alertCap(rule: { maxAlerts: number; intervalMs: number }, scope: Scope): number {
  if (scope.field !== '@timestamp') return rule.maxAlerts;
  const span = scope.ranges.reduce((sum, r) => sum + Math.max(0, r.to - r.from), 0);
  return rule.maxAlerts * Math.max(1, Math.ceil(span / rule.intervalMs));
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
  const cap = alertCap(rule, scope);
  for (const candidate of [...candidates].sort((a, b) => a.anchor - b.anchor)) {
    const key = suppressionKey(candidate);
    const anchors = existing.get(key) ?? [];
    if (span > 0 && anchors.some((anchor) => Math.abs(anchor - candidate.anchor) < span)) {
      outcome.suppressed++;
      continue;
    }
    if (accepted.length >= cap) {
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
          { ...context, marker: candidate.marker },
          rule,
          subjectOfEvents(candidate.events),
          rule.includeFirstActivity.withinMs,
          scope,
        )
      : undefined;
    const doc = alertDocument(candidate, { now: context.now, firstActivity: activity });
    actions.push({ create: { _index: context.alertsIndex, _id: alertId(candidate) }, doc });
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

/** Alerts of one replay run never suppress those of another, nor live ones. */
function suppressionKey(candidate: Candidate): string {
  return JSON.stringify([candidate.marker ?? null, groupKey(candidate.group)]);
}

/** Groups of candidates per request when looking up earlier alerts (a terms filter of this many values). */
const LOOKUP_BATCH = 1000;

/** Anchors of existing alerts for the candidates' markers and groups near their anchors, by suppression key. */
async function existingAnchors(
  context: EvaluationContext & { alertsIndex: string },
  candidates: Candidate[],
  span: number,
): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  const byMarker = new Map<string | undefined, Candidate[]>();
  for (const c of candidates) byMarker.set(c.marker, [...(byMarker.get(c.marker) ?? []), c]);
  for (const [marker, list] of byMarker) {
    const groups = [...new Set(list.map((c) => groupKey(c.group)))];
    const anchors = list.map((c) => c.anchor);
    for (let start = 0; start < groups.length; start += LOOKUP_BATCH) {
      const hits = context.cluster.scroll<{ firedrill: { alert: { group: string; anchor: string } } }>(
        context.alertsIndex,
        {
          _source: ['firedrill.alert.group', 'firedrill.alert.anchor'],
          query: {
            bool: {
              filter: [
                { term: { 'rule.id': list[0]!.rule.id } },
                { terms: { 'firedrill.alert.group': groups.slice(start, start + LOOKUP_BATCH) } },
                rangeFilter(
                  'firedrill.alert.anchor',
                  Math.min(...anchors) - span,
                  Math.max(...anchors) + span,
                ),
                ...(marker ? [{ term: { 'firedrill.marker': marker } }] : []),
              ],
              must_not: marker ? [] : [{ exists: { field: 'firedrill.marker' } }],
            },
          },
        },
      );
      for await (const page of hits)
        for (const hit of page) {
          const { group, anchor } = hit._source.firedrill.alert;
          const key = JSON.stringify([marker ?? null, group]);
          out.set(key, [...(out.get(key) ?? []), Date.parse(anchor)]);
        }
    }
  }
  return out;
}
