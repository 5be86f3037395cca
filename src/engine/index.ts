export { DetectionEngine } from './engine.js';
export { ENGINE_INDICES, engineIndices, type EngineIndices } from './indices.js';
export { runOnce, type RuleRunReport, type RunOptions, type RunReport } from './run.js';
export { SEVERITY_NUMBER } from './alert.js';
