import { createHash } from 'node:crypto';
import type { CompiledRule, Severity } from '../compile/types.js';
import { groupKey, type Candidate } from './candidate.js';
import { distinctValues, fieldValues, nest, oneOrMany, type EventHit } from './fields.js';

/** ECS `event.severity` numbers for firedrill's severity labels (documented in docs/alerts.md). */
export const SEVERITY_NUMBER: Record<Severity, number> = { low: 21, medium: 47, high: 73, critical: 99 };

/** Who acted and from where: for a sequence, the actor of its first step (later steps are on the alert as steps). */
const ACTOR_FIELDS = ['user.name', 'firedrill.actor.ids', 'source.ip', 'user_agent.original'];

/** What was affected, and everyone and every address involved, across all the evidence. */
const EVIDENCE_FIELDS = [
  'cloud.provider',
  'cloud.account.id',
  'user.target.name',
  'user.target.id',
  'firedrill.credential.id',
  'related.user',
  'related.ip',
];

/** Fields shown for each sequence step and each first-activity event. */
const SUMMARY_FIELDS = [
  'event.action',
  'event.id',
  'event.outcome',
  'user.name',
  'user.target.name',
  'source.ip',
  'user_agent.original',
  'firedrill.credential.id',
];

/** Source events listed on one alert, at most. */
const MAX_SOURCE_EVENTS = 100;

/**
 * Alerts for the same rule and group within this span are one alert: the rule's suppression window, and
 * at least the span the rule itself looks at (threshold window, sequence span, new-terms history), so
 * re-evaluating the same data from a different starting point cannot yield a second alert.
 */
export function suppressionSpan(rule: CompiledRule): number {
  const inherent =
    rule.type === 'threshold'
      ? rule.threshold.windowMs
      : rule.type === 'sequence'
        ? rule.maxSpanMs
        : rule.type === 'new_terms'
          ? rule.historyWindowMs
          : 0;
  return Math.max(rule.suppressionMs, inherent);
}

/** The deterministic alert id: rule, marker, group and suppression bucket — the same finding always gets the same id. */
export function alertId(candidate: Candidate, marker: string | undefined): string {
  const span = suppressionSpan(candidate.rule);
  const bucket = span > 0 ? Math.floor(candidate.anchor / span) : candidate.anchor;
  return createHash('sha256')
    .update(JSON.stringify([candidate.rule.id, marker ?? '', groupKey(candidate.group), bucket]))
    .digest('hex');
}

/** Summarises one event for steps and first activity: where it is, when, and its key fields. */
export function eventSummary(event: EventHit, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const fields = Object.fromEntries(SUMMARY_FIELDS.map((f) => [f, oneOrMany(fieldValues(event.source, f))]));
  return nest({
    ...extra,
    '@timestamp': new Date(event.time).toISOString(),
    ...fields,
    'firedrill.index': event.index,
    'firedrill.id': event.id,
  });
}

/** The alert document for a candidate; `firstActivity` is the created account's activity, when asked for. */
export function alertDocument(
  candidate: Candidate,
  options: { marker?: string; now: number; firstActivity?: EventHit[] },
): Record<string, unknown> {
  const { rule, events } = candidate;
  const sources = events.slice(0, MAX_SOURCE_EVENTS);
  const all = events.map((e) => e.source);
  const actors = candidate.steps ? [candidate.steps[0]!.event.source] : all;
  const values = (docs: unknown[], fields: string[]) =>
    Object.fromEntries(fields.map((field) => [field, oneOrMany(distinctValues(docs, field))]));
  const evidence = { ...values(actors, ACTOR_FIELDS), ...values(all, EVIDENCE_FIELDS) };
  const times = events.map((e) => e.time);
  return nest({
    '@timestamp': new Date(options.now).toISOString(),
    'event.kind': 'alert',
    'event.id': alertId(candidate, options.marker),
    'event.severity': SEVERITY_NUMBER[rule.severity],
    'event.risk_score': rule.riskScore,
    'rule.id': rule.id,
    'rule.name': rule.name,
    'rule.type': rule.type,
    'rule.description': rule.description,
    'rule.version': rule.hash,
    ...threatFields(rule),
    tags: rule.tags.length ? rule.tags : undefined,
    ...evidence,
    'firedrill.marker': options.marker,
    'firedrill.alert.severity': rule.severity,
    'firedrill.alert.group': groupKey(candidate.group),
    'firedrill.alert.anchor': new Date(candidate.anchor).toISOString(),
    'firedrill.alert.first_event': new Date(Math.min(...times)).toISOString(),
    'firedrill.alert.last_event': new Date(Math.max(...times)).toISOString(),
    'firedrill.alert.event_count': events.length,
    'firedrill.alert.source.ids': sources.map((e) => e.id),
    'firedrill.alert.source.indices': [...new Set(sources.map((e) => e.index))],
    'firedrill.alert.source.event_ids': oneOrMany(
      distinctValues(
        sources.map((e) => e.source),
        'event.id',
      ),
    ),
    'firedrill.alert.investigation': rule.investigation.length ? rule.investigation : undefined,
    'firedrill.alert.false_positives': rule.falsePositives.length ? rule.falsePositives : undefined,
    'firedrill.alert.steps': candidate.steps?.map((step, i) =>
      eventSummary(step.event, { step: i + 1, name: step.name }),
    ),
    'firedrill.alert.first_activity': options.firstActivity?.map((event) => eventSummary(event)),
  });
}

function threatFields(rule: CompiledRule): Record<string, unknown> {
  if (rule.threat.length === 0) return {};
  const list = (values: (string | undefined)[]): unknown =>
    oneOrMany([...new Set(values.filter((v): v is string => v !== undefined))]);
  return {
    'threat.framework': 'MITRE ATT&CK',
    'threat.tactic.id': list(rule.threat.map((t) => t.tactic.id)),
    'threat.tactic.name': list(rule.threat.map((t) => t.tactic.name)),
    'threat.technique.id': list(rule.threat.map((t) => t.technique.id)),
    'threat.technique.name': list(rule.threat.map((t) => t.technique.name)),
    'threat.technique.subtechnique.id': list(rule.threat.map((t) => t.subtechnique?.id)),
    'threat.technique.subtechnique.name': list(rule.threat.map((t) => t.subtechnique?.name)),
    'threat.analytic.id': list(rule.threat.map((t) => t.analytic)),
  };
}
