import type { Cluster } from '../cluster/index.js';
import type { CompiledQueryRule, CompiledRule } from '../compile/types.js';
import { describeError } from '../errors.js';
import { layoutOf } from '../layout/index.js';
import type { Candidate } from './candidate.js';
import { readCheckpoints, writeCheckpoints } from './checkpoints.js';
import { evaluateNewTermsRule } from './evaluate/new-terms.js';
import { updateFirstActivity } from './first-activity.js';
import { evaluateQueryRules } from './evaluate/query.js';
import { evaluateSequenceRule } from './evaluate/sequence.js';
import { evaluateThresholdRule } from './evaluate/threshold.js';
import { loadDeployedRules } from './rules.js';
import type { EvaluationContext, Scope } from './scope.js';
import { writeAlerts, type WriteOutcome } from './write.js';

/** Non-query rules evaluated at the same time. */
const CONCURRENT_RULES = 4;

export interface RunOptions {
  /** Only rules whose id matches this glob (`*`, `?`, comma-separated). */
  rules?: string;
  /** Backfill: evaluate events with `@timestamp` in [from, to) instead of new events since the checkpoints. */
  from?: Date;
  to?: Date;
  /** Evaluate only events of this replay run and tag the alerts with it. */
  marker?: string;
  /** How long after ingestion an event is surely searchable; live runs stop this far before now (default 1 s). */
  settleMs?: number;
  /** Live runs: evaluate only the rules this returns true for (the continuous engine's per-rule interval). */
  due?: (rule: CompiledRule) => boolean;
  /** Stop between rules when aborted; rules already done keep their alerts and checkpoints. */
  signal?: AbortSignal;
  /** The deployment whose rules run and whose alerts and checkpoints are written (default `default`). */
  deployment?: string;
  /** The clock, for tests. */
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
  /** Wall time of this rule's evaluation and alert writing (query rules share their percolation). */
  tookMs: number;
  error?: string;
}

export interface RunReport {
  rules: RuleRunReport[];
  alerts: number;
  errors: number;
}

/**
 * One evaluation of every enabled deployed rule. Live runs read each rule's checkpoint (or start one
 * lookback back), evaluate events ingested since, write alerts, and only then advance the checkpoint —
 * a crash in between re-evaluates the same events and the deterministic ids turn repeats into no-ops.
 */
export async function runOnce(cluster: Cluster, options: RunOptions = {}): Promise<RunReport> {
  const layout = layoutOf(options.deployment);
  const now = (options.now ?? Date.now)();
  const live = !options.from;
  const all = await loadDeployedRules(cluster, layout.rulesIndex, options.rules);
  const rules = live && options.due ? all.filter(options.due) : all;
  const until = now - (options.settleMs ?? 1000);
  const checkpoints = live
    ? await readCheckpoints(
        cluster,
        layout.engineStateIndex,
        rules.map((r) => r.id),
        options.marker,
      )
    : new Map();
  const scopeOf = (rule: CompiledRule): Scope =>
    live
      ? liveScope(checkpoints.get(rule.id) ?? until - rule.lookbackMs, until)
      : { field: '@timestamp', from: options.from!.getTime(), to: (options.to ?? new Date(now)).getTime() };
  const context: EvaluationContext = { cluster, marker: options.marker };
  const writeContext = { ...context, alertsIndex: layout.alertsIndex, now };
  const reports: RuleRunReport[] = [];
  const evaluated: { ruleId: string; through: number }[] = [];

  const runRule = async (rule: CompiledRule, scope: Scope, evaluate: () => Promise<Candidate[]>) => {
    const started = Date.now();
    const report: RuleRunReport = {
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
    try {
      const candidates = await evaluate();
      report.findings = candidates.length;
      Object.assign(report, await writeAlerts(writeContext, candidates, scope));
      if (live) report.activityUpdated = await updateFirstActivity(writeContext, rule, scope);
      evaluated.push({ ruleId: rule.id, through: scope.to - 1 });
    } catch (error) {
      report.error = describeError(error);
    }
    report.tookMs = Date.now() - started;
    reports.push(report);
  };

  // Every query rule is percolated in the same pass.
  const queryRules = rules.filter((rule): rule is CompiledQueryRule => rule.type === 'query');
  if (queryRules.length > 0 && !options.signal?.aborted) {
    const found = await evaluateQueryRules(
      context,
      layout.rulesIndex,
      queryRules.map((rule) => ({ rule, scope: scopeOf(rule) })),
    ).catch((error: unknown) => error);
    for (const rule of queryRules)
      await runRule(rule, scopeOf(rule), async () => {
        if (!(found instanceof Map)) throw found;
        return found.get(rule.id) ?? [];
      });
  }
  // The other rules are independent searches: a few at a time keep the cluster busy without flooding it.
  const pending = rules.filter((rule) => rule.type !== 'query');
  const worker = async (): Promise<void> => {
    for (let rule = pending.shift(); rule && !options.signal?.aborted; rule = pending.shift()) {
      const scope = scopeOf(rule);
      if (rule.type === 'threshold')
        await runRule(rule, scope, () => evaluateThresholdRule(context, rule, scope));
      else if (rule.type === 'new_terms')
        await runRule(rule, scope, () => evaluateNewTermsRule(context, rule, scope));
      else if (rule.type === 'sequence')
        await runRule(rule, scope, () => evaluateSequenceRule(context, rule, scope));
    }
  };
  await Promise.all(Array.from({ length: CONCURRENT_RULES }, worker));
  reports.sort(
    (a, b) => rules.findIndex((r) => r.id === a.ruleId) - rules.findIndex((r) => r.id === b.ruleId),
  );

  // Alerts first, searchable, then checkpoints: a crash in between only repeats work.
  if (reports.some((r) => r.written + r.activityUpdated > 0)) await cluster.refresh(layout.alertsIndex);
  if (live && evaluated.length > 0)
    await writeCheckpoints(cluster, layout.engineStateIndex, options.marker, evaluated);
  return {
    rules: reports,
    alerts: reports.reduce((sum, r) => sum + r.written, 0),
    errors: reports.filter((r) => r.error).length,
  };
}

/** New events ingested after the checkpoint through `until`; never moves a checkpoint backwards. */
function liveScope(checkpoint: number, until: number): Scope {
  return { field: 'event.ingested', from: checkpoint + 1, to: Math.max(until, checkpoint) + 1 };
}
