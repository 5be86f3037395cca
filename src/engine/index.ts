export { DetectionEngine } from './engine.js';
export { ENGINE_DEFAULTS, runOnce, type RuleRunReport, type RunOptions, type RunReport } from './run.js';
export { engineStatus, type RuleStatus } from './status.js';
export { LeaseKeeper, shardOf } from './leases.js';
export { ClusterClock } from './clock.js';
export { SEVERITY_NUMBER } from './alert.js';
