/**
 * firedrill's library API: the same pieces the CLI uses.
 * content → compile → deploy → cluster → engine → alerts → reports
 */
export * from './cluster/index.js';
export { ContentError, ContentErrors, FiredrillError } from './errors.js';
export type * from './compile/types.js';
export type { ClusterProvider, ProviderName, StartedCluster } from './providers/types.js';
export { stopTestcontainersCluster, TestcontainersCluster } from './providers/testcontainers/index.js';
export {
  EmbeddedCluster,
  ExternalCluster,
  providerFor,
  stopEmbeddedCluster,
  type ProviderOptions,
} from './providers/index.js';
export {
  DetectionEngine,
  ENGINE_INDICES,
  engineIndices,
  runOnce,
  type EngineIndices,
  type RuleRunReport,
  type RunOptions,
  type RunReport,
} from './engine/index.js';
export { formatAlert, listAlerts, type AlertDocument, type AlertFilter } from './alerts/index.js';
export { compileEngineResources } from './compile/engine.js';
export { compileAll, type CompileAllOptions } from './compile/index.js';
export {
  contentHash,
  DEFAULT_HISTORY_INDEX,
  deploy,
  deployHistory,
  plan,
  rollback,
  type DeployedResource,
  type DeploymentRecord,
  type DeploymentSummary,
  type DeployOptions,
  type DeployResult,
  type LockOptions,
  type ManagedMeta,
  type Plan,
  type PlanAction,
  type PlanEntry,
  type PlanOptions,
  type ProgressEvent,
  type ProgressListener,
  type RollbackOptions,
} from './deploy/index.js';
export {
  compileRule,
  compileRules,
  compileRuleSet,
  RISK_RANGES,
  type RuleCompilation,
} from './compile/rules/index.js';
export {
  defaultConfig,
  loadConfig,
  type ChangeWindow,
  type FiredrillConfig,
  type Parameters,
  type TargetConfig,
} from './content/config.js';
export {
  loadExamples,
  loadRules,
  type ExampleCase,
  type RuleExamples,
  type RuleFile,
} from './content/rules.js';
export { validateRules, type RuleValidation, type RuleValidationOptions } from './validate/rules.js';
