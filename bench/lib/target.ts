import type { Cluster } from '../../src/cluster/index.js';
import { EmbeddedCluster } from '../../src/providers/index.js';
import type { BenchRow } from '../run.js';

/** Measures on FIREDRILL_BENCH_TARGET, or on an embedded node started (and stopped) for this section. */
export async function onBenchCluster(
  measure: (target: string) => Promise<BenchRow[]>,
  target = process.env.FIREDRILL_BENCH_TARGET,
): Promise<BenchRow[]> {
  if (target) return measure(target);
  const started = await new EmbeddedCluster().start();
  try {
    return await measure(started.url);
  } finally {
    await started.stop();
  }
}

/** Removes everything a benchmark deployed under its namespace, history included. */
export async function removeNamespace(cluster: Cluster, namespace: string): Promise<void> {
  const pattern = `${namespace}-*`;
  for (const id of Object.keys(await cluster.getIndexTemplates(pattern)))
    await cluster.deleteIndexTemplate(id);
  for (const id of Object.keys(await cluster.getComponentTemplates(pattern)))
    await cluster.deleteComponentTemplate(id);
  for (const id of Object.keys(await cluster.getPipelines(pattern))) await cluster.deletePipeline(id);
  await cluster.deleteIndex(pattern);
  await cluster.deleteByQuery('firedrill-deployments', { term: { deployment: namespace } });
}
