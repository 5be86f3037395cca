import type { Cluster } from '../cluster/index.js';
import type { Resource } from '../compile/types.js';
import { FiredrillError } from '../errors.js';
import { applyPlan, type ProgressListener } from './apply.js';
import {
  ensureHistoryIndex,
  getDeployment,
  latestDeployment,
  listDeployments,
  recordDeployment,
  type DeploymentRecord,
  type DeploymentSummary,
} from './history.js';
import { acquireLock, type LockOptions } from './lock.js';
import { checkDeploymentName, DEFAULT_DEPLOYMENT, layoutOf } from '../layout/index.js';
import { plan, type Plan, type PlanOptions } from './plan.js';

export interface DeployOptions extends PlanOptions {
  /** Plan only: read, compare, report. */
  dryRun?: boolean;
  lock?: LockOptions;
  onProgress?: ProgressListener;
  /** Called with the plan made under the lock, before anything is written. */
  onPlan?: (plan: Plan) => void | Promise<void>;
}

export interface DeployResult {
  plan: Plan;
  /** The version recorded; undefined when nothing was written (no changes, or a dry run). */
  version?: number;
}

/**
 * Brings the cluster to `resources`. Unchanged content costs reads only — no lock, no history
 * write; otherwise the plan is re-made under the deployment's lock, applied in dependency order
 * (restored on failure) and recorded as a new version.
 */
export async function deploy(
  cluster: Cluster,
  resources: Resource[],
  options: DeployOptions = {},
): Promise<DeployResult> {
  return deployAs(cluster, resources, options, { action: 'deploy' });
}

async function deployAs(
  cluster: Cluster,
  resources: Resource[],
  options: DeployOptions,
  kind: Pick<DeploymentRecord, 'action' | 'rolled_back_to'>,
): Promise<DeployResult> {
  const historyIndex = options.historyIndex ?? layoutOf().historyIndex;
  const first = await plan(cluster, resources, options);
  if (options.dryRun || !first.hasChanges) return { plan: first };

  await ensureHistoryIndex(cluster, historyIndex);
  const lock = await acquireLock(cluster, historyIndex, first.deployment, options.lock);
  try {
    // Someone may have deployed while we waited: compare again under the lock.
    const locked = await plan(cluster, resources, options);
    await options.onPlan?.(locked);
    if (!locked.hasChanges) return { plan: locked };
    await applyPlan(cluster, locked, { onProgress: options.onProgress, beforeEach: lock.keepAlive });
    await lock.keepAlive();
    const record = await recordDeployment(
      cluster,
      historyIndex,
      {
        ...kind,
        deployment: locked.deployment,
        changes: { create: locked.counts.create, update: locked.counts.update, delete: locked.counts.delete },
        resources: locked.manifest,
      },
      locked.currentVersion,
    );
    return { plan: locked, version: record.version };
  } finally {
    await lock.release();
  }
}

export interface RollbackOptions extends Omit<DeployOptions, 'prune'> {
  /** The version to restore (default: the one before the current). */
  to?: number;
}

/**
 * Restores every resource to a recorded version — bodies come from the history index, so no
 * checkout is needed — deleting what later versions added. Recorded as a new version.
 */
export async function rollback(cluster: Cluster, options: RollbackOptions = {}): Promise<DeployResult> {
  const deployment = checkDeploymentName(options.deployment ?? DEFAULT_DEPLOYMENT);
  const historyIndex = options.historyIndex ?? layoutOf().historyIndex;
  const current = await latestDeployment(cluster, historyIndex, deployment);
  if (!current)
    throw new FiredrillError(`deployment '${deployment}' has never been deployed to ${cluster.info.url}`);
  const to = options.to ?? current.version - 1;
  if (to < 1) throw new FiredrillError(`deployment '${deployment}' has no version before ${current.version}`);
  if (to > current.version)
    throw new FiredrillError(
      `deployment '${deployment}' is at version ${current.version}; there is no version ${to}`,
    );
  const target = await getDeployment(cluster, historyIndex, deployment, to);
  return deployAs(
    cluster,
    target.resources,
    { ...options, deployment, prune: true },
    {
      action: 'rollback',
      rolled_back_to: to,
    },
  );
}

/** The recorded versions of a deployment, newest first. */
export function deployHistory(
  cluster: Cluster,
  options: Pick<PlanOptions, 'deployment' | 'historyIndex'> = {},
): Promise<DeploymentSummary[]> {
  return listDeployments(
    cluster,
    options.historyIndex ?? layoutOf().historyIndex,
    checkDeploymentName(options.deployment ?? DEFAULT_DEPLOYMENT),
  );
}
