import { providerFor, recordStartedCluster } from './index.js';

/** Use a running cluster by URL, or start one with a provider. */
export type ClusterChoice = { target: string } | { provider: 'embedded' | 'testcontainers' };

/**
 * A cluster to run against; `stop()` tears down only a cluster this call started. With `keep`, a started
 * cluster outlives this process and is recorded like `firedrill cluster up` does, so `cluster down` stops it.
 */
export async function startCluster(
  choice: ClusterChoice,
  options: { keep?: boolean } = {},
): Promise<{ url: string; started: boolean; stop(): Promise<void> }> {
  if ('target' in choice) return { url: choice.target, started: false, stop: async () => {} };
  const started = await providerFor(choice.provider, { detached: options.keep ?? false }).start();
  if (options.keep) await recordStartedCluster(started);
  return { url: started.url, started: true, stop: () => started.stop() };
}
