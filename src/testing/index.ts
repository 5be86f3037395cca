/**
 * vitest helpers (`firedrill/testing`): one cluster per run, deploy, replay, and assertions on alerts.
 *
 *   // vitest.config.ts: test.globalSetup = ['test/firedrill-setup.ts']
 *   // test/firedrill-setup.ts: export { firedrillGlobalSetup as default } from 'firedrill/testing';
 */
import { expect, inject } from 'vitest';
import type { TestProject } from 'vitest/node';
import { connect, type Cluster } from '../cluster/index.js';
import type { Scenario } from '../content/scenarios.js';
import { deployPack, type DeployPackOptions } from '../scenarios/deploy-pack.js';
import { fieldMismatch, observedAlerts, type ObservedAlert } from '../scenarios/expectations.js';
import { ScenarioHarness, type HarnessMode } from '../scenarios/harness.js';
import type { ScenarioResult } from '../scenarios/results.js';
import { runOnce } from '../engine/index.js';
import { expandInputs, replay, type ReplayInput, type ReplayResult } from '../replay/replay.js';
import { startCluster, type ClusterChoice } from '../providers/start.js';
import { loadScenario } from '../validate/index.js';

declare module 'vitest' {
  export interface ProvidedContext {
    firedrillUrl: string;
  }
}

export { cleanup } from '../replay/replay.js';
export { startCluster, type ClusterChoice } from '../providers/start.js';

/**
 * A vitest globalSetup: starts one cluster for the whole run (FIREDRILL_TEST_TARGET when set, else
 * FIREDRILL_TEST_PROVIDER, default embedded), deploys the content in the working directory, and
 * provides its URL to every test file (`connectFiredrill()`). Stops only what it started.
 */
export async function firedrillGlobalSetup(project: TestProject): Promise<() => Promise<void>> {
  const started = await startCluster(clusterChoiceFromEnv());
  try {
    const cluster = await connect({ target: started.url });
    try {
      await deployPack(cluster);
    } finally {
      await cluster.close();
    }
  } catch (error) {
    await started.stop();
    throw error;
  }
  project.provide('firedrillUrl', started.url);
  return () => started.stop();
}

function clusterChoiceFromEnv(): ClusterChoice {
  if (process.env.FIREDRILL_TEST_TARGET) return { target: process.env.FIREDRILL_TEST_TARGET };
  const provider = process.env.FIREDRILL_TEST_PROVIDER === 'testcontainers' ? 'testcontainers' : 'embedded';
  return { provider };
}

/** Connects to the run's cluster (from `firedrillGlobalSetup`, or `url`). */
export function connectFiredrill(url: string = inject('firedrillUrl')): Promise<Cluster> {
  return connect({ target: url });
}

/** Deploys pipelines and rules (already done by the global setup; use it to deploy a variant). */
export const deployFiredrill = (cluster: Cluster, options?: DeployPackOptions) =>
  deployPack(cluster, options);

export interface DetectResult extends ReplayResult {
  /** Alerts the engine wrote for this marker. */
  alerts: number;
}

/**
 * Replays cloud audit log files (or in-memory records) under a fresh marker, shifted so the latest lands
 * now, and runs the detection engine once over exactly those events. Clean up with `cleanup(cluster, marker)`.
 */
export async function replayAndDetect(
  cluster: Cluster,
  logs: string[] | Record<string, unknown>[],
  options: { marker?: string; shiftTo?: number; deployment?: string } = {},
): Promise<DetectResult> {
  const inputs: ReplayInput[] =
    typeof logs[0] === 'string'
      ? expandInputs(logs as string[])
      : [{ name: 'records', records: logs as Record<string, unknown>[] }];
  const replayed = await replay(cluster, inputs, {
    deployment: options.deployment,
    marker: options.marker,
    shiftTo: options.shiftTo ?? Date.now() - 60_000,
  });
  if (replayed.earliest === undefined) return { ...replayed, alerts: 0 };
  const report = await runOnce(cluster, {
    deployment: options.deployment,
    marker: replayed.marker,
    from: new Date(replayed.earliest),
    to: new Date(replayed.latest! + 1000),
  });
  return { ...replayed, alerts: report.alerts };
}

/** Runs one scenario file (or loaded scenario) as `firedrill test` does; `keep` leaves its data for more assertions. */
export async function runScenario(
  cluster: Cluster,
  scenario: string | Scenario,
  options: { keep?: boolean; timeoutMs?: number; deployment?: string; mode?: HarnessMode } = {},
): Promise<ScenarioResult> {
  const loaded = typeof scenario === 'string' ? loadScenario(scenario) : scenario;
  const harness = new ScenarioHarness(cluster).withKeep(options.keep ?? false);
  if (options.deployment) harness.withDeployment(options.deployment);
  if (options.mode) harness.withMode(options.mode);
  if (options.timeoutMs !== undefined) harness.withTimeout(options.timeoutMs);
  try {
    return await harness.runScenario(loaded);
  } finally {
    await harness.stop();
  }
}

export interface AlertExpectation {
  rule: string;
  marker: string;
  /** The deployment whose alerts are read (default `default`). */
  deployment?: string;
  /** Dotted field → value every matching alert must carry (array fields: must contain it). */
  fields?: Record<string, unknown>;
  /** Exactly this many alerts (default: at least one). */
  count?: number;
  /** Poll this long for the alert to appear (default 10 s). */
  timeoutMs?: number;
}

/** Why the expectation does not hold (undefined when it does), polling until it holds or time runs out. */
async function alertProblem(
  cluster: Cluster,
  want: AlertExpectation,
): Promise<{ problem?: string; alerts: ObservedAlert[] }> {
  const deadline = Date.now() + (want.timeoutMs ?? 10_000);
  for (;;) {
    const alerts = await observedAlerts(cluster, want.marker, {
      deployment: want.deployment,
      rule: want.rule,
    });
    const countOk = want.count === undefined ? alerts.length > 0 : alerts.length === want.count;
    const mismatch = countOk ? fieldMismatch(alerts, want.fields ?? {}) : undefined;
    if (countOk && !mismatch) return { alerts };
    if (Date.now() >= deadline || (want.count !== undefined && alerts.length > want.count)) {
      const expected = want.count === undefined ? 'at least 1 alert' : `${want.count} alert(s)`;
      const problem = countOk
        ? `alert from ${want.rule} (marker ${want.marker}): ${mismatch}`
        : `expected ${expected} from ${want.rule} for marker ${want.marker}, got ${alerts.length}`;
      return { problem, alerts };
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Asserts a rule alerted for a replay marker (polling); returns the matching alerts' fields. */
export async function expectAlert(
  cluster: Cluster,
  want: AlertExpectation,
): Promise<Record<string, unknown>[]> {
  const { problem, alerts } = await alertProblem(cluster, want);
  if (problem) throw new Error(problem);
  return alerts.map((a) => a.fields);
}

/** Custom matchers; `expect.extend(firedrillMatchers)` (done on import of this module). */
export const firedrillMatchers = {
  async toHaveFiredAlert(received: unknown, want: AlertExpectation) {
    const { problem } = await alertProblem(received as Cluster, want);
    return {
      pass: problem === undefined,
      message: () => problem ?? `expected ${want.rule} not to alert for marker ${want.marker}, but it did`,
    };
  },
};

expect.extend(firedrillMatchers);

interface FiredrillMatchers<R = unknown> {
  /** `await expect(cluster).toHaveFiredAlert({ rule, marker, fields })` */
  toHaveFiredAlert(want: AlertExpectation): Promise<R>;
}

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any, @typescript-eslint/no-empty-object-type
  interface Assertion<T = any> extends FiredrillMatchers<T> {}
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface AsymmetricMatchersContaining extends FiredrillMatchers {}
}
