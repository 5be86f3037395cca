import type { Cluster } from '../cluster/index.js';
import { layoutOf } from '../layout/index.js';
import { ClusterClock } from './clock.js';
import { readDeployedRules } from './rules.js';
import { allStates } from './state.js';

/** How one deployed rule is doing in the live engine. */
export interface RuleStatus {
  rule: string;
  /** Never evaluated by a live run yet. */
  pending: boolean;
  /** The process that last evaluated it. */
  owner?: string;
  checkpoint?: string;
  /** How far its checkpoint is behind the cluster's now. */
  lagMs?: number;
  lastRun?: string;
  lastSuccess?: string;
  error?: string;
  failures: number;
  retryAt?: string;
  /** Alerts written by live runs, in all. */
  alerts: number;
  /** The engine will not run this rule's document (tampered or foreign content); why. */
  refused?: string;
}

/** `firedrill detect --status`: every deployed rule with its live state, lag first. */
export async function engineStatus(cluster: Cluster, deployment?: string): Promise<RuleStatus[]> {
  const layout = layoutOf(deployment);
  const [{ rules, refused }, states, now] = await Promise.all([
    readDeployedRules(cluster, layout),
    allStates(cluster, layout.engineStateIndex),
    new ClusterClock(cluster).now(),
  ]);
  const byRule = new Map(states.map((s) => [s.rule_id, s]));
  const refusedStatus = refused.map(({ ruleId, reason }): RuleStatus => ({
    rule: ruleId,
    pending: true,
    failures: 0,
    alerts: 0,
    refused: reason,
  }));
  return [
    ...refusedStatus,
    ...rules.map((rule) => {
      const state = byRule.get(rule.id);
      return {
        rule: rule.id,
        pending: !state?.checkpoint,
        owner: state?.owner,
        checkpoint: state?.checkpoint,
        lagMs: state?.checkpoint ? now - Date.parse(state.checkpoint) : undefined,
        lastRun: state?.last_run,
        lastSuccess: state?.last_success,
        error: state?.error,
        failures: state?.failures ?? 0,
        retryAt: state?.retry_at,
        alerts: state?.alerts ?? 0,
      };
    }),
  ];
}
