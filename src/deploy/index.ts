export type { ProgressEvent, ProgressListener } from './apply.js';
export {
  deploy,
  deployHistory,
  rollback,
  type DeployOptions,
  type DeployResult,
  type RollbackOptions,
} from './deploy.js';
export {
  DEFAULT_HISTORY_INDEX,
  type DeployedResource,
  type DeploymentRecord,
  type DeploymentSummary,
} from './history.js';
export type { LockOptions } from './lock.js';
export { contentHash, DEFAULT_RULES_INDEX, FIREDRILL_VERSION, type ManagedMeta } from './metadata.js';
export { plan, type Plan, type PlanAction, type PlanEntry, type PlanOptions } from './plan.js';
