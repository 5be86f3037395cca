/**
 * Deployer benchmark: the full content set, deployed into a namespace of its own (removed
 * afterwards, so it never touches a real deployment) on the cluster at FIREDRILL_BENCH_TARGET,
 * or on an embedded OpenSearch node it starts and stops.
 * Run alone: `[FIREDRILL_BENCH_TARGET=http://localhost:9200] npx tsx bench/deploy.ts`.
 */
import { performance } from 'node:perf_hooks';
import { connect, type Cluster } from '../src/cluster/index.js';
import { compileAll } from '../src/compile/index.js';
import type { Resource } from '../src/compile/types.js';
import { deploy, removeDeployment, rollback } from '../src/deploy/index.js';
import { describeError } from '../src/errors.js';
import { onBenchCluster } from './lib/target.js';
import type { BenchRow } from './run.js';

const NOOP_RUNS = 5;

export function benchDeploy(target = process.env.FIREDRILL_BENCH_TARGET): Promise<BenchRow[]> {
  return onBenchCluster(measure, target);
}

async function measure(target: string): Promise<BenchRow[]> {
  const namespace = `bench-${process.pid}`;
  const resources = compileAll({ deployment: namespace });
  const cluster = await connect({ target });
  const options = { deployment: namespace };
  try {
    const initial = await timed(cluster, () => deploy(cluster, resources, options));
    const noops = [];
    for (let i = 0; i < NOOP_RUNS; i++)
      noops.push(await timed(cluster, () => deploy(cluster, resources, options)));
    const changed = await timed(cluster, () => deploy(cluster, withOnePipelineChanged(resources), options));
    const back = await timed(cluster, () => rollback(cluster, options));
    return [
      { name: `initial deploy (${resources.length} resources)`, value: initial.ms, unit: 'ms' },
      { name: 'initial deploy writes', value: initial.writes, unit: 'requests' },
      {
        name: `no-op redeploy (median of ${NOOP_RUNS})`,
        value: median(noops.map((n) => n.ms)),
        unit: 'ms',
        goal: '≤ 1000',
      },
      {
        name: 'no-op redeploy writes (max)',
        value: Math.max(...noops.map((n) => n.writes)),
        unit: 'requests',
        goal: '0',
      },
      { name: 'no-op redeploy reads', value: noops[0]!.reads, unit: 'requests' },
      { name: 'deploy of one changed pipeline', value: changed.ms, unit: 'ms' },
      { name: 'one changed pipeline: writes', value: changed.writes, unit: 'requests' },
      { name: 'rollback of that change', value: back.ms, unit: 'ms' },
    ];
  } finally {
    await removeDeployment(cluster, namespace);
    await cluster.close();
  }
}

async function timed(cluster: Cluster, run: () => Promise<unknown>) {
  cluster.resetStats();
  const start = performance.now();
  await run();
  return {
    ms: Math.round(performance.now() - start),
    writes: cluster.stats.writes,
    reads: cluster.stats.reads,
  };
}

function withOnePipelineChanged(resources: Resource[]): Resource[] {
  const target = resources.find((r) => r.kind === 'pipeline');
  return resources.map((r) => (r === target ? { ...r, body: { ...r.body, version: 2 } } : r));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    for (const row of await benchDeploy())
      console.log(
        `${row.name.padEnd(44)} ${String(row.value).padStart(8)} ${row.unit}${row.goal ? `  (goal ${row.goal})` : ''}`,
      );
  } catch (error) {
    console.error(`bench/deploy: ${describeError(error)}`);
    process.exitCode = 1;
  }
}
