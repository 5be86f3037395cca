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
