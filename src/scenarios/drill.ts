import type { Cluster } from '../cluster/index.js';
import { loadScenarios } from '../content/scenarios.js';
import { writeReports, type WrittenReports } from '../reports/write.js';
import { deployPack, type DeployPackOptions } from './deploy-pack.js';
import { ScenarioHarness } from './harness.js';
import type { RunResult, ScenarioResult } from './results.js';

export interface DrillOptions extends DeployPackOptions {
  /** Scenario files or folders (default `scenarios`). */
  scenarios?: string[];
  /** Write results.json, junit.xml, attack-navigator.json and coverage.html here. */
  reportDir?: string;
  timeoutMs?: number;
  keep?: boolean;
  onScenario?: (result: ScenarioResult, index: number, total: number) => void;
}

export interface DrillResult {
  run: RunResult;
  reports?: WrittenReports;
}

/** What `firedrill test` does on a running cluster: deploy the pack, run every scenario in isolation, write reports. */
export async function drill(cluster: Cluster, options: DrillOptions = {}): Promise<DrillResult> {
  const scenarios = loadScenarios(options.scenarios ?? ['scenarios']);
  const rules = await deployPack(cluster, options);
  const harness = new ScenarioHarness(cluster).withRules(rules).withKeep(options.keep ?? false);
  if (options.timeoutMs !== undefined) harness.withTimeout(options.timeoutMs);
  if (options.onScenario) harness.onScenario(options.onScenario);
  const run = await harness.run(scenarios);
  const reports = options.reportDir ? await writeReports(run, options.reportDir) : undefined;
  return { run, reports };
}
