import type { AlertDocument } from './alert-document.js';
import type { CompiledRule, Dsl } from '../compile/types.js';
import { eventSummary } from './alert.js';
import { distinctValues, fieldValues, type EventHit } from './fields.js';
import {
  markerFilters,
  rangeFilter,
  scopeEnd,
  scopeFilter,
  TIME_FIELDS,
  toEvent,
  visibleFilter,
  type EvaluationContext,
  type Scope,
} from './scope.js';

/** First-activity events kept per alert. */
const FIRST_ACTIVITY = 20;
/** Open alerts re-checked per rule and run, at most. */
const OPEN_ALERTS = 1000;

/** Whose activity an alert follows: the accounts it created or affected, and the keys it saw. */
export interface ActivitySubject {
  targets: unknown[];
  keys: unknown[];
  /** From when (the first evidence event). */
  start: number;
  /** The evidence itself, which is not "activity". */
  exclude: string[];
}

export function subjectOfEvents(events: EventHit[]): ActivitySubject {
  const sources = events.map((e) => e.source);
  return {
    targets: distinctValues(sources, 'user.target.name'),
    keys: distinctValues(sources, 'firedrill.credential.id'),
    start: Math.min(...events.map((e) => e.time)),
    exclude: events.map((e) => e.id),
  };
}

/**
 * What the created account (or its new key) did within `withinMs` after the first evidence event: events
 * whose actor is one of the target accounts, or that carry one of the key ids.
 */
export async function firstActivity(
  context: EvaluationContext,
  rule: CompiledRule,
  subject: ActivitySubject,
  withinMs: number,
  scope: Scope,
): Promise<EventHit[]> {
  const should = activityClauses(subject);
  if (should.length === 0) return [];
  const res = await context.cluster.search<Record<string, unknown>>(rule.index, {
    size: FIRST_ACTIVITY,
    sort: [{ '@timestamp': { order: 'asc', unmapped_type: 'date' } }],
    _source: { excludes: ['event.original'] },
    docvalue_fields: TIME_FIELDS,
    query: {
      bool: {
        filter: [
          rangeFilter('@timestamp', subject.start, subject.start + withinMs + 1),
          visibleFilter(scope),
          ...markerFilters(context),
        ],
        should,
        minimum_should_match: 1,
        must_not: [{ ids: { values: subject.exclude } }],
      },
    },
  });
  return res.hits.hits.map(toEvent);
}

/** Events by one of the subject's accounts, or carrying one of its keys. */
function activityClauses({ targets, keys }: Pick<ActivitySubject, 'targets' | 'keys'>): Dsl[] {
  return [
    ...(targets.length
      ? [{ terms: { 'user.name': targets } }, { terms: { 'firedrill.actor.ids': targets } }]
      : []),
    ...(keys.length ? [{ terms: { 'firedrill.credential.id': keys } }] : []),
  ];
}

/**
 * Live runs: an alert is usually written before the new account does anything, so while its window is
 * open (first event + `withinMs`, plus one lookback for late delivery) each run re-reads its first activity
 * and updates the alert when more has arrived — with optimistic concurrency, never creating an alert.
 * Returns how many alerts were updated.
 */
export async function updateFirstActivity(
  context: EvaluationContext & { alertsIndex: string },
  rule: CompiledRule,
  scope: Scope,
): Promise<number> {
  const withinMs = rule.includeFirstActivity?.withinMs;
  if (withinMs === undefined || scope.field !== 'event.ingested') return 0;
  const end = scopeEnd(scope);
  const res = await context.cluster.search<AlertDocument>(context.alertsIndex, {
    size: OPEN_ALERTS,
    seq_no_primary_term: true,
    query: {
      bool: {
        filter: [
          { term: { 'rule.id': rule.id } },
          rangeFilter('firedrill.alert.first_event', end - withinMs - rule.lookbackMs, end),
          ...markerFilters(context),
        ],
      },
    },
  });
  if (res.hits.hits.length === 0) return 0;
  // Most runs bring no activity of any open alert's subject: one count over the run's new events says so.
  const all = activityClauses({
    targets: [...new Set(res.hits.hits.flatMap((h) => fieldValues(h._source, 'user.target.name')))],
    keys: [...new Set(res.hits.hits.flatMap((h) => fieldValues(h._source, 'firedrill.credential.id')))],
  });
  if (all.length === 0) return 0;
  const arrived = await context.cluster.count(rule.index, {
    bool: { filter: [scopeFilter(scope)], should: all, minimum_should_match: 1 },
  });
  if (arrived === 0) return 0;
  let updated = 0;
  for (const hit of res.hits.hits) {
    const alert = hit._source;
    const subject: ActivitySubject = {
      targets: fieldValues(alert, 'user.target.name'),
      keys: fieldValues(alert, 'firedrill.credential.id'),
      start: Date.parse(alert.firedrill.alert.first_event),
      exclude: alert.firedrill.alert.source.ids,
    };
    // An alert of a replay run follows that run's events only.
    const own = { ...context, marker: alert.firedrill.marker };
    const activity = (await firstActivity(own, rule, subject, withinMs, scope)).map((e) => eventSummary(e));
    if (activity.length <= (alert.firedrill.alert.first_activity?.length ?? 0)) continue;
    alert.firedrill.alert.first_activity = activity;
    const write = await context.cluster.putDoc(context.alertsIndex, hit._id, alert, {
      ifSeqNo: hit._seq_no,
      ifPrimaryTerm: hit._primary_term,
    });
    if (write.result === 'written') updated++;
  }
  return updated;
}
