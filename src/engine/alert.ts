import { createHash } from 'node:crypto';
import type { CompiledRule, Severity } from '../compile/types.js';
import { groupKey, type Candidate } from './candidate.js';
import type { AlertDocument, AlertEventSummary, OneOrMany } from './alert-document.js';
import { distinctValues, oneOrMany, type EventHit } from './fields.js';

/** ECS `event.severity` numbers for firedrill's severity labels (documented in docs/alerts.md). */
export const SEVERITY_NUMBER: Record<Severity, number> = { low: 21, medium: 47, high: 73, critical: 99 };

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
export function alertId(candidate: Candidate): string {
  const span = suppressionSpan(candidate.rule);
  const bucket = span > 0 ? Math.floor(candidate.anchor / span) : candidate.anchor;
  return createHash('sha256')
    .update(JSON.stringify([candidate.rule.id, candidate.marker ?? '', groupKey(candidate.group), bucket]))
    .digest('hex');
}

/** Summarises one event for steps and first activity: where it is, when, and its key fields. */
export function eventSummary(event: EventHit, step?: { step: number; name: string }): AlertEventSummary {
  const of = (field: string) => texts([event.source], field);
  return prune({
    '@timestamp': new Date(event.time).toISOString(),
    ...step,
    event: { action: of('event.action'), id: of('event.id'), outcome: of('event.outcome') },
    user: { name: of('user.name'), target: { name: of('user.target.name') } },
    source: { ip: of('source.ip') },
    user_agent: { original: of('user_agent.original') },
    firedrill: { index: event.index, id: event.id, credential: { id: of('firedrill.credential.id') } },
  });
}

/** The alert document for a candidate; `firstActivity` is the created account's activity, when asked for. */
export function alertDocument(
  candidate: Candidate,
  options: { now: number; firstActivity?: EventHit[] },
): AlertDocument {
  const { rule, events } = candidate;
  const sources = events.slice(0, MAX_SOURCE_EVENTS);
  const all = events.map((e) => e.source);
  // Who acted and from where: for a sequence, the actor of its first step (later steps are on the alert).
  const actors = candidate.steps ? [candidate.steps[0]!.event.source] : all;
  const times = events.map((e) => e.time);
  return prune({
    '@timestamp': new Date(options.now).toISOString(),
    event: {
      kind: 'alert',
      id: alertId(candidate),
      severity: SEVERITY_NUMBER[rule.severity],
      risk_score: rule.riskScore,
    },
    rule: {
      id: rule.id,
      name: rule.name,
      type: rule.type,
      description: rule.description,
      version: rule.hash,
    },
    threat: threatOf(rule),
    tags: rule.tags.length ? rule.tags : undefined,
    // What was affected, and everyone and every address involved, across all the evidence.
    cloud: { provider: texts(all, 'cloud.provider'), account: { id: texts(all, 'cloud.account.id') } },
    user: {
      name: texts(actors, 'user.name'),
      target: { name: texts(all, 'user.target.name'), id: texts(all, 'user.target.id') },
    },
    source: { ip: texts(actors, 'source.ip') },
    user_agent: { original: texts(actors, 'user_agent.original') },
    related: { user: texts(all, 'related.user'), ip: texts(all, 'related.ip') },
    firedrill: {
      marker: candidate.marker,
      actor: { ids: texts(actors, 'firedrill.actor.ids') },
      credential: { id: texts(all, 'firedrill.credential.id') },
      alert: {
        severity: rule.severity,
        group: groupKey(candidate.group),
        anchor: new Date(candidate.anchor).toISOString(),
        first_event: new Date(Math.min(...times)).toISOString(),
        last_event: new Date(Math.max(...times)).toISOString(),
        event_count: events.length,
        source: {
          ids: sources.map((e) => e.id),
          indices: [...new Set(sources.map((e) => e.index))],
          event_ids: texts(
            sources.map((e) => e.source),
            'event.id',
          ),
        },
        investigation: rule.investigation.length ? rule.investigation : undefined,
        false_positives: rule.falsePositives.length ? rule.falsePositives : undefined,
        steps: candidate.steps?.map((step, i) => eventSummary(step.event, { step: i + 1, name: step.name })),
        first_activity: options.firstActivity?.map((event) => eventSummary(event)),
      },
    },
  });
}

function threatOf(rule: CompiledRule): AlertDocument['threat'] {
  if (rule.threat.length === 0) return undefined;
  const list = (values: (string | undefined)[]) =>
    oneOrMany([...new Set(values.filter((v): v is string => v !== undefined))]);
  return {
    framework: 'MITRE ATT&CK',
    tactic: {
      id: list(rule.threat.map((t) => t.tactic.id))!,
      name: list(rule.threat.map((t) => t.tactic.name))!,
    },
    technique: {
      id: list(rule.threat.map((t) => t.technique.id))!,
      name: list(rule.threat.map((t) => t.technique.name))!,
      subtechnique: {
        id: list(rule.threat.map((t) => t.subtechnique?.id)),
        name: list(rule.threat.map((t) => t.subtechnique?.name)),
      },
    },
    analytic: { id: list(rule.threat.map((t) => t.analytic)) },
  };
}

/** Distinct values of a field across documents as text, ECS style: one stays scalar, none is omitted. */
function texts(docs: unknown[], field: string): OneOrMany<string> | undefined {
  return oneOrMany(distinctValues(docs, field).map(String));
}

/** The document without undefined values and the objects they leave empty (arrays are kept as they are). */
function prune<T>(value: T): T {
  const walk = (node: unknown): unknown => {
    if (!node || typeof node !== 'object' || Array.isArray(node)) return node;
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(node)) {
      const kept = walk(child);
      if (kept === undefined) continue;
      if (kept && typeof kept === 'object' && !Array.isArray(kept) && Object.keys(kept).length === 0)
        continue;
      out[key] = kept;
    }
    return out;
  };
  return walk(value) as T;
}
