/**
 * Cluster benchmark: cold start → green (new JVM or container, new data; jars and images already
 * cached), median of 3, per provider. Run alone: `npm run bench -- cluster`.
 */
import { performance } from 'node:perf_hooks';
import { describeError } from '../src/errors.js';
import { EmbeddedCluster } from '../src/providers/embedded/index.js';
import type { ClusterProvider } from '../src/providers/types.js';
import type { BenchRow } from './run.js';

const RUNS = 3;

export async function benchCluster(): Promise<BenchRow[]> {
  // One unmeasured start fetches the jars and compiles the launcher if this machine never has.
  await (await new EmbeddedCluster().start()).stop();
  return [
    await coldStart('embedded 1-node', () => new EmbeddedCluster(), '≤ 30 s'),
    await coldStart('embedded 3-node', () => new EmbeddedCluster().withNodes(3)),
    await testcontainersColdStart(),
  ];
}

async function coldStart(label: string, provider: () => ClusterProvider, goal?: string): Promise<BenchRow> {
  const seconds: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const cluster = await provider().start();
    seconds.push((performance.now() - t0) / 1000);
    await cluster.stop();
  }
  const runs = seconds.map((s) => s.toFixed(1)).join(', ');
  return {
    name: `${label} cold start → green, median of ${RUNS} (${runs})`,
    value: median(seconds),
    unit: 's',
    goal,
  };
}

async function testcontainersColdStart(): Promise<BenchRow> {
  const label = 'testcontainers 1-node';
  try {
    const { dockerIsRunning, TestcontainersCluster } =
      await import('../src/providers/testcontainers/index.js');
    if (!(await dockerIsRunning()))
      return { name: label, value: NaN, unit: 's', note: 'skipped: Docker is not running' };
    return await coldStart(label, () => new TestcontainersCluster());
  } catch (error) {
    return { name: label, value: NaN, unit: 's', note: `failed: ${describeError(error)}` };
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
