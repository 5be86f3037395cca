import type { Cluster } from '../cluster/index.js';
import { contentPaths } from '../content/paths.js';
import type { Scenario } from '../content/scenarios.js';
import { loadScenarios } from '../validate/index.js';
import { deployPack, type DeployPackOptions } from './deploy-pack.js';
import { ScenarioHarness, type HarnessMode } from './harness.js';
import type { RunResult, ScenarioResult } from './results.js';

export interface DrillOptions extends DeployPackOptions {
  /** Scenario files or folders (default `<contentDir>/scenarios`); or the scenarios, already loaded. */
  scenarios?: string[] | Scenario[];
  timeoutMs?: number;
  keep?: boolean;
  /** Backfill (default) or the live engine (src/scenarios/harness.ts). */
  mode?: HarnessMode;
  onScenario?: (result: ScenarioResult, index: number, total: number) => void;
}

/**
 * What `firedrill test` does on a running cluster: deploy the pack, run every scenario in isolation.
 * The run is what every report is made from (`writeReports`).
 */
export async function drill(cluster: Cluster, options: DrillOptions = {}): Promise<RunResult> {
  const paths = contentPaths(options.contentDir);
  const given = options.scenarios ?? [paths.scenarios];
  const scenarios = given.every((s) => typeof s === 'string') ? loadScenarios(given) : given;
  const rules = await deployPack(cluster, options);
  const harness = new ScenarioHarness(cluster)
    .withRules(rules)
    .withTemplatesDir(paths.templates)
    .withKeep(options.keep ?? false);
  if (options.deployment) harness.withDeployment(options.deployment).withRules(rules);
  if (options.mode) harness.withMode(options.mode);
  if (options.timeoutMs !== undefined) harness.withTimeout(options.timeoutMs);
  if (options.onScenario) harness.onScenario(options.onScenario);
  return harness.run(scenarios);
}
