/**
 * firedrill's library API: the same pieces the CLI uses.
 * content → compile → deploy → cluster → engine → alerts → reports
 */
export * from './cluster/index.js';
export { ContentError, ContentErrors, FiredrillError } from './errors.js';
export type * from './compile/types.js';
export type { ClusterProvider, ProviderName, StartedCluster } from './providers/types.js';
// The testcontainers provider's packages are optional (Docker only): loaded on use, never by this module.
export type { TestcontainersCluster } from './providers/testcontainers/index.js';
import { loadTestcontainers } from './providers/testcontainers/load.js';
export { loadTestcontainers };

/** Stops a detached testcontainers cluster by container id (loads the optional packages). */
export async function stopTestcontainersCluster(containerId: string): Promise<void> {
  const { stopTestcontainersCluster: stop } = await loadTestcontainers();
  await stop(containerId);
}
export {
  EmbeddedCluster,
  ExternalCluster,
  providerFor,
  stopEmbeddedCluster,
  type ProviderOptions,
} from './providers/index.js';
export {
  DetectionEngine,
  runOnce,
  type RuleRunReport,
  type RunOptions,
  type RunReport,
} from './engine/index.js';
export type { AlertDocument, AlertEventSummary } from './engine/alert-document.js';
export { formatAlert, readAlerts, type AlertFilter } from './alerts/index.js';
export { checkDeploymentName, DEFAULT_DEPLOYMENT, Layout, layoutOf } from './layout/index.js';
export {
  eventIdOf,
  recogniseRecord,
  sourceById,
  SOURCE_IDS,
  SOURCES,
  type LogSource,
  type Recogniser,
} from './sources/index.js';
export { compileEngineResources } from './compile/engine.js';
export { compilePipelineContent, type PipelineCompileOptions } from './compile/pipelines.js';
export {
  ingestRecords,
  IngestStopped,
  readRecords,
  type IngestFailure,
  type IngestOptions,
  type IngestPosition,
  type IngestSummary,
  type RawRecord,
  type RetryPolicy,
} from './ingest/index.js';
export {
  compileAll,
  compileContent,
  compilePipelines,
  forDeployment,
  type CompileAllOptions,
  type CompileOptions,
} from './compile/index.js';
export {
  contentHash,
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
  readConfig,
  type ChangeWindow,
  type FiredrillConfig,
  type Parameters,
  type TargetConfig,
} from './content/config.js';
export { readContent, type Content } from './content/index.js';
export { readPipelineContent, type PipelineContent } from './content/pipelines.js';
export {
  readDetections,
  readExamples,
  readRules,
  type Detections,
  type ExampleCase,
  type LoadedRule,
  type RuleExamples,
  type RuleFile,
} from './content/rules.js';
export { findScenarioFiles, readScenario, type Scenario, type TemplateLibrary } from './content/scenarios.js';
export {
  loadConfig,
  loadContent,
  loadDetections,
  loadExamples,
  loadPipelineContent,
  loadScenario,
  loadScenarios,
  loadTemplates,
  validatePipelines,
  validateRules,
  type PipelineValidation,
  type RuleValidation,
  type RuleValidationOptions,
} from './validate/index.js';
export { generateRecords, type GeneratedRecord } from './scenarios/generate.js';
export {
  cleanup,
  expandInputs,
  newMarker,
  replay,
  ReplayStopped,
  type CleanupResult,
  type ReplayCheckpoint,
  type ReplayInput,
  type ReplayOptions,
  type ReplayResult,
} from './replay/replay.js';
export { shiftRecord, offsetToLand } from './replay/shift.js';
export { ScenarioHarness } from './scenarios/harness.js';
export { deployPack, type DeployPackOptions } from './scenarios/deploy-pack.js';
export { drill, type DrillOptions } from './scenarios/drill.js';
export { startCluster, type ClusterChoice } from './providers/start.js';
export type * from './scenarios/results.js';
export { computeCoverage, type Coverage } from './reports/coverage.js';
export { htmlReport } from './reports/html.js';
export { junitReport } from './reports/junit.js';
export { navigatorLayer, type NavigatorLayer } from './reports/navigator.js';
export { textSummary } from './reports/summary.js';
export { writeReports, type WrittenReports } from './reports/write.js';
export { checkHealth, type HealthOptions, type HealthReport } from './health/health.js';
export { formatHealth } from './health/format.js';
export { exportSigma, writeExported, type ExportResult } from './sigma/export.js';
export { importSigma, writeImported, type ImportOptions, type ImportResult } from './sigma/import.js';
export { formatRefusal, type RefusedRule } from './sigma/refusal.js';
