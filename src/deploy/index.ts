export type { ProgressEvent, ProgressListener } from './apply.js';
export {
  deploy,
  deployHistory,
  rollback,
  type DeployOptions,
  type DeployResult,
  type RollbackOptions,
} from './deploy.js';
export type { DeployedResource, DeploymentRecord, DeploymentSummary } from './history.js';
export type { LockOptions } from './lock.js';
export { contentHash, FIREDRILL_VERSION, type ManagedMeta } from './metadata.js';
export { removeDeployment } from './remove.js';
export { plan, type Plan, type PlanAction, type PlanEntry, type PlanOptions } from './plan.js';
