/**
 * Scenario benchmark: cold start → every AN1608 scenario verified. Starts an embedded OpenSearch node
 * (or uses FIREDRILL_BENCH_TARGET, then "cold" means a first deploy under a clean run), deploys the pack,
 * runs the whole library as `firedrill test` does, and reports the total and each scenario's seconds.
 * Run alone: `[FIREDRILL_BENCH_TARGET=http://localhost:9200] npx tsx bench/scenarios.ts`.
 */
import { performance } from 'node:perf_hooks';
import { connect } from '../src/cluster/index.js';
import { describeError } from '../src/errors.js';
import { startCluster } from '../src/providers/start.js';
import { loadScenarios } from '../src/validate/index.js';
import { deployPack } from '../src/scenarios/deploy-pack.js';
import { ScenarioHarness } from '../src/scenarios/harness.js';

export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  goal?: string;
}

export async function benchScenarios(target = process.env.FIREDRILL_BENCH_TARGET): Promise<BenchRow[]> {
  const t0 = performance.now();
  const started = await startCluster(target ? { target } : { provider: 'embedded' });
  const clusterReady = performance.now();
  try {
    const cluster = await connect({ target: started.url });
    try {
      const rules = await deployPack(cluster);
      const deployed = performance.now();
      const run = await new ScenarioHarness(cluster)
        .withRules(rules)
        .run(loadScenarios(['scenarios/an1608']));
      const done = performance.now();
      const scenarioTimes = run.scenarios.map((r) => ({
        name: `scenario ${r.name}`,
        value: seconds(r.durationMs),
        unit: 's',
      }));
      const failed = run.scenarios.filter((s) => !s.passed);
      if (failed.length)
        throw new Error(
          `${failed.length} scenario(s) failed, first: ${failed[0]!.name}: ${failed[0]!.failures[0]}`,
        );
      const scenariosMs = run.scenarios.reduce((sum, s) => sum + s.durationMs, 0);
      return [
        {
          name: `cold start → all ${run.scenarios.length} AN1608 scenarios verified`,
          value: seconds(done - t0),
          unit: 's',
          goal: '≤ 60 s',
        },
        {
          name: started.started ? 'cluster start (embedded)' : 'cluster start (given target)',
          value: seconds(clusterReady - t0),
          unit: 's',
        },
        { name: 'deploy', value: seconds(deployed - clusterReady), unit: 's' },
        { name: 'all scenarios (wall clock, 3 at a time)', value: seconds(done - deployed), unit: 's' },
        { name: 'scenarios (sum of each)', value: seconds(scenariosMs), unit: 's' },
        {
          name: 'scenario (median)',
          value: seconds(median(run.scenarios.map((s) => s.durationMs))),
          unit: 's',
        },
        ...scenarioTimes,
      ];
    } finally {
      await cluster.close();
    }
  } finally {
    await started.stop();
  }
}

function seconds(ms: number): number {
  return Math.round(ms / 10) / 100;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

const invokedDirectly = process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (invokedDirectly) {
  try {
    for (const row of await benchScenarios()) {
      process.stdout.write(`${row.name}: ${row.value} ${row.unit}${row.goal ? ` (goal ${row.goal})` : ''}\n`);
    }
  } catch (error) {
    process.stderr.write(`bench/scenarios: ${describeError(error)}\n`);
    process.exitCode = 1;
  }
}
