export { DetectionEngine } from './engine.js';
export { runOnce, type RuleRunReport, type RunOptions, type RunReport } from './run.js';
export { SEVERITY_NUMBER } from './alert.js';
