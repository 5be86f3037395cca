import type { Cluster } from '../cluster/index.js';
import type { CompiledQueryRule, CompiledRule } from '../compile/types.js';
import { describeError } from '../errors.js';
import { layoutOf } from '../layout/index.js';
import type { Candidate } from './candidate.js';
import { ClusterClock, type Clock } from './clock.js';
import { evaluateNewTermsRule } from './evaluate/new-terms.js';
import { evaluateQueryRules } from './evaluate/query.js';
import { rulesWithEvidence } from './evaluate/relevant.js';
import { evaluateSequenceRule } from './evaluate/sequence.js';
import { evaluateThresholdRule } from './evaluate/threshold.js';
import { fieldValues } from './fields.js';
import { updateFirstActivity } from './first-activity.js';
import { readDeployedRules, type RefusedRule } from './rules.js';
import { markerFilters, mergeRanges, type EvaluationContext, type Range, type Scope } from './scope.js';
import { readStates, writeStates, type RuleState, type StoredState } from './state.js';
import { lateRanges, seenRecord, visibleCounts } from './visibility.js';
import { writeAlerts, type WriteOutcome } from './write.js';

/** Rules evaluated and written at the same time. */
const CONCURRENT_RULES = 4;

/** The engine's defaults (docs/engine.md): each can be set per run. */
export const ENGINE_DEFAULTS = {
  /** An event that becomes searchable up to this long after its ingest stamp is still evaluated, once. */
  lateMs: 120_000,
  /** A rule behind by more (and by more than its lookback) evaluates at most this much per run, catching up run by run. */
  sliceMs: 3_600_000,
  /** A failing rule waits 1 s, 2 s, 4 s … up to this long before it is tried again. */
  maxBackoffMs: 300_000,
};

export interface RunOptions {
  /** Only rules whose id matches this glob (`*`, `?`, comma-separated). */
  rules?: string;
  /** Backfill: evaluate events with `@timestamp` in [from, to) instead of new events since the checkpoints. */
  from?: Date;
  to?: Date;
  /** Evaluate only events of this replay run and tag the alerts with it. */
  marker?: string;
  /**
   * Live runs: refresh the rules' event indices first (default true), so an event is evaluated by the first
   * run after its bulk, not after the index's next refresh. Turn it off on clusters whose refresh interval
   * was raised for indexing throughput: the late window keeps every event evaluated either way, later.
   */
  refresh?: boolean;
  lateMs?: number;
  sliceMs?: number;
  maxBackoffMs?: number;
  /** Live runs: evaluate only the rules this returns true for (the continuous engine's per-rule interval). */
  due?: (rule: CompiledRule) => boolean;
  /** Live runs: evaluate only the rules this process holds the lease of. */
  owns?: (rule: CompiledRule) => boolean;
  /** Written on each rule's state: which process evaluated it. */
  owner?: string;
  /** Stop between rules when aborted; rules already done keep their alerts and state. */
  signal?: AbortSignal;
  /** The deployment whose rules run and whose alerts and state are written (default `default`). */
  deployment?: string;
  /** The cluster's clock as the engine measures it (one is made per run when not given). */
  clock?: Clock;
  /** The engine's own clock, for tests (a clock given above has its own). */
  now?: () => number;
}

export interface RuleRunReport extends WriteOutcome {
  ruleId: string;
  type: CompiledRule['type'];
  /** Findings before suppression. */
  findings: number;
  scope: Scope;
  /** Earlier alerts whose first activity this run added to. */
  activityUpdated: number;
  /** Wall time of this rule's evaluation and alert writing (query rules share their reading of events). */
  tookMs: number;
  /** Live runs: how far the rule's checkpoint is behind the cluster's now, after this run. */
  lagMs?: number;
  /** Live runs: seconds behind the checkpoint that got late events and were evaluated again. */
  lateSeconds?: number;
  error?: string;
  /** Not evaluated: backing off after failures, or another process saved its state first. */
  skipped?: string;
}

export interface RunReport {
  rules: RuleRunReport[];
  /** Rule documents the engine would not run (src/engine/trust.ts): each is also counted as an error. */
  refused: RefusedRule[];
  alerts: number;
  errors: number;
}

/** One rule's plan for a live run: the ranges it evaluates and the state it saves if that succeeds. */
interface LivePlan {
  scope: Scope;
  stored?: StoredState;
  next: RuleState;
  end: number;
  lateSeconds: number;
}

/**
 * One evaluation of every enabled deployed rule.
 *
 * A live run evaluates, per rule, the events ingested since its checkpoint up to shortly before the cluster's
 * now, plus every second of the late window behind the checkpoint that holds more searchable events than
 * when it was evaluated (events become searchable after their ingest stamp). It writes the alerts, and only
 * then saves the state: a crash in between re-evaluates the same events, and deterministic alert ids and
 * suppression turn the repeats into no-ops. A backfill evaluates events by `@timestamp` in [from, to).
 */
export async function runOnce(cluster: Cluster, options: RunOptions = {}): Promise<RunReport> {
  const layout = layoutOf(options.deployment);
  const live = !options.from;
  const { rules: all, refused } = await readDeployedRules(cluster, layout, options.rules);
  const rules = live ? all.filter((r) => (options.due?.(r) ?? true) && (options.owns?.(r) ?? true)) : all;
  const context: EvaluationContext = { cluster, marker: options.marker };
  const reports = new Map<string, RuleRunReport>();
  const report = (rule: CompiledRule, scope: Scope): RuleRunReport => {
    const entry: RuleRunReport = {
      ruleId: rule.id,
      type: rule.type,
      findings: 0,
      scope,
      written: 0,
      duplicates: 0,
      suppressed: 0,
      dropped: 0,
      ids: [],
      activityUpdated: 0,
      tookMs: 0,
    };
    reports.set(rule.id, entry);
    return entry;
  };

  // A backfill sees everything ingested before it started; a live run, all but bulks still in flight.
  if (rules.length > 0 && (!live || (options.refresh ?? true)))
    await cluster.refresh([...new Set(rules.flatMap((r) => r.index))].join(','));
  let now: number;
  let plans = new Map<string, LivePlan>();
  if (live) {
    const clock = options.clock ?? new ClusterClock(cluster, options.now);
    now = await clock.now();
    plans = await planLive(context, layout.engineStateIndex, rules, now, options, report);
  } else {
    now = (options.now ?? Date.now)();
  }
  const backfill: Scope = {
    field: '@timestamp',
    ranges: [{ from: options.from?.getTime() ?? 0, to: (options.to ?? new Date(now)).getTime() }],
  };
  const runnable = live ? rules.filter((r) => plans.has(r.id)) : rules;
  const scopeOf = (rule: CompiledRule): Scope => plans.get(rule.id)?.scope ?? backfill;
  const writeContext = { ...context, alertsIndex: layout.alertsIndex, now };

  const runRule = async (rule: CompiledRule, evaluate: () => Promise<Candidate[]>): Promise<void> => {
    const started = Date.now();
    const entry = report(rule, scopeOf(rule));
    try {
      const candidates = await evaluate();
      for (const c of candidates) c.marker = options.marker ?? sharedMarker(c);
      entry.findings = candidates.length;
      Object.assign(entry, await writeAlerts(writeContext, candidates, entry.scope));
      if (live) entry.activityUpdated = await updateFirstActivity(writeContext, rule, entry.scope);
    } catch (error) {
      entry.error = describeError(error);
    }
    entry.tookMs = Date.now() - started;
  };

  // Every query rule is read together, once, when the first of them is evaluated; each still succeeds or
  // fails on its own. The rules are evaluated and written a few at a time: enough to keep the cluster busy
  // without flooding it, and no rule waits for another's alert writes.
  const queryRules = runnable.filter((rule): rule is CompiledQueryRule => rule.type === 'query');
  let queryOutcomes: ReturnType<typeof evaluateQueryRules> | undefined;
  const evaluateQueryRule = async (rule: CompiledQueryRule): Promise<Candidate[]> => {
    queryOutcomes ??= evaluateQueryRules(
      context,
      queryRules.map((r) => ({ rule: r, scope: scopeOf(r) })),
    );
    const outcome = (await queryOutcomes).get(rule.id)!;
    if (outcome instanceof Error) throw outcome;
    return outcome;
  };
  // The other rules are evaluated only if new evidence for them arrived; their own searches go first, so
  // the shared read overlaps them.
  const others = runnable.filter((rule) => rule.type !== 'query');
  const withEvidence =
    others.length > 0 && !options.signal?.aborted
      ? await rulesWithEvidence(
          context,
          others.map((rule) => ({ rule, scope: scopeOf(rule) })),
        )
      : new Set<string>();
  const pending = [...others, ...queryRules];
  const worker = async (): Promise<void> => {
    for (let rule = pending.shift(); rule && !options.signal?.aborted; rule = pending.shift()) {
      const scope = scopeOf(rule);
      if (rule.type === 'query') await runRule(rule, () => evaluateQueryRule(rule));
      else if (!withEvidence.has(rule.id)) await runRule(rule, async () => []);
      else if (rule.type === 'threshold')
        await runRule(rule, () => evaluateThresholdRule(context, rule, scope));
      else if (rule.type === 'new_terms')
        await runRule(rule, () => evaluateNewTermsRule(context, rule, scope));
      else await runRule(rule, () => evaluateSequenceRule(context, rule, scope));
    }
  };
  await Promise.all(Array.from({ length: CONCURRENT_RULES }, worker));

  // Alerts first, searchable, then state: a crash in between only repeats work.
  const done = [...reports.values()];
  if (done.some((r) => r.written + r.activityUpdated > 0)) await cluster.refresh(layout.alertsIndex);
  if (live) await saveStates(cluster, layout.engineStateIndex, plans, reports, now, options);
  const ordered = all.map((r) => reports.get(r.id)).filter((r): r is RuleRunReport => r !== undefined);
  return {
    rules: ordered,
    refused,
    alerts: ordered.reduce((sum, r) => sum + r.written, 0),
    errors: ordered.filter((r) => r.error).length + refused.length,
  };
}

/**
 * What each rule evaluates in a live run: from its checkpoint (or one lookback back) up to the cluster's
 * now, at most one slice, plus the late seconds behind the checkpoint. The counts of searchable events per
 * second are taken before anything is evaluated, so an event that becomes searchable meanwhile is evaluated
 * again later rather than never.
 */
async function planLive(
  context: EvaluationContext,
  stateIndex: string,
  rules: CompiledRule[],
  now: number,
  options: RunOptions,
  report: (rule: CompiledRule, scope: Scope) => RuleRunReport,
): Promise<Map<string, LivePlan>> {
  const lateMs = options.lateMs ?? ENGINE_DEFAULTS.lateMs;
  const sliceMs = options.sliceMs ?? ENGINE_DEFAULTS.sliceMs;
  const states = await readStates(
    context.cluster,
    stateIndex,
    rules.map((r) => r.id),
    options.marker,
  );
  const counts = new Map<string, Promise<Map<number, number>>>();
  const countsOf = (rule: CompiledRule, range: Range) => {
    const key = JSON.stringify([rule.index, range]);
    if (!counts.has(key)) counts.set(key, visibleCounts(context, rule.index, markerFilters(context), range));
    return counts.get(key)!;
  };
  const plans = new Map<string, LivePlan>();
  for (const rule of rules) {
    const stored = states.get(rule.id);
    const state = stored?.state;
    const retryAt = state?.retry_at ? Date.parse(state.retry_at) : -Infinity;
    const checkpoint = state?.checkpoint ? Date.parse(state.checkpoint) : now - rule.lookbackMs;
    // A slice is never shorter than the rule's own lookback, which its first run covers at once.
    const end = Math.max(checkpoint, Math.min(now, checkpoint + Math.max(sliceMs, rule.lookbackMs)));
    if (retryAt > now) {
      const entry = report(rule, { field: 'event.ingested', ranges: [] });
      entry.skipped = `backing off after ${state?.failures ?? 0} failure(s) until ${state!.retry_at}`;
      entry.error = state?.error;
      entry.lagMs = now - checkpoint;
      continue;
    }
    // Counted before anything is evaluated: what becomes searchable meanwhile is evaluated again later.
    const [behind, ahead] = await Promise.all([
      state ? countsOf(rule, { from: checkpoint - lateMs, to: checkpoint }) : new Map<number, number>(),
      countsOf(rule, { from: end - lateMs, to: end }),
    ]);
    const late = state
      ? lateRanges(state.visible, behind, { from: checkpoint - lateMs, to: checkpoint })
      : [];
    const ranges = mergeRanges([...late, { from: checkpoint, to: end }]);
    plans.set(rule.id, {
      scope: { field: 'event.ingested', ranges: ranges.length ? ranges : [{ from: end, to: end }] },
      stored,
      end,
      lateSeconds: late.reduce((sum, r) => sum + (r.to - r.from) / 1000, 0),
      next: {
        type: 'rule',
        rule_id: rule.id,
        ...(options.marker ? { marker: options.marker } : {}),
        checkpoint: new Date(end).toISOString(),
        visible: seenRecord(ahead),
        alerts: state?.alerts ?? 0,
        ...(options.owner ? { owner: options.owner } : {}),
      },
    });
  }
  return plans;
}

/**
 * Saves each evaluated rule's state: on success its new checkpoint and what it saw; on failure the old
 * checkpoint with the error and when to try again (exponential back-off with jitter). A state another
 * process saved in between is left alone, and the rule is reported as skipped.
 */
async function saveStates(
  cluster: Cluster,
  stateIndex: string,
  plans: Map<string, LivePlan>,
  reports: Map<string, RuleRunReport>,
  now: number,
  options: RunOptions,
): Promise<void> {
  const stamp = new Date(now).toISOString();
  const maxBackoff = options.maxBackoffMs ?? ENGINE_DEFAULTS.maxBackoffMs;
  const writes: StoredState[] = [];
  for (const [ruleId, plan] of plans) {
    const entry = reports.get(ruleId);
    if (!entry) continue; // aborted before it ran
    const old = plan.stored?.state;
    entry.lateSeconds = plan.lateSeconds;
    let state: RuleState;
    if (entry.error) {
      const failures = (old?.failures ?? 0) + 1;
      const backoff = Math.min(maxBackoff, 1000 * 2 ** (failures - 1)) * (0.8 + Math.random() * 0.4);
      state = {
        ...(old ?? { type: 'rule', rule_id: ruleId }),
        ...(options.owner ? { owner: options.owner } : {}),
        last_run: stamp,
        error: entry.error,
        failures,
        retry_at: new Date(now + backoff).toISOString(),
      };
      entry.lagMs = now - (old?.checkpoint ? Date.parse(old.checkpoint) : plan.end);
    } else {
      state = {
        ...plan.next,
        alerts: (plan.next.alerts ?? 0) + entry.written,
        last_run: stamp,
        last_success: stamp,
      };
      entry.lagMs = now - plan.end;
    }
    writes.push({ state, seqNo: plan.stored?.seqNo, primaryTerm: plan.stored?.primaryTerm });
  }
  for (const ruleId of await writeStates(cluster, stateIndex, writes)) {
    const entry = reports.get(ruleId)!;
    entry.skipped = 'another engine process saved its state first; its progress is kept';
  }
}

/** The one replay marker every event of a finding carries, if they share one. */
function sharedMarker(candidate: Candidate): string | undefined {
  const markers = new Set(candidate.events.map((e) => fieldValues(e.source, 'firedrill.marker')[0]));
  const [only] = markers;
  return markers.size === 1 && typeof only === 'string' ? only : undefined;
}
