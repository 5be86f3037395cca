import type { Distribution } from '../cluster/types.js';

/** A cluster a provider started (or, for `external`, found); `stop()` tears down only what it started. */
export interface StartedCluster {
  url: string;
  distribution: Distribution;
  version: string;
  nodes: number;
  provider: ProviderName;
  /** The JVM process (embedded) or container (testcontainers) behind it, for `cluster down`. */
  pid?: number;
  containerId?: string;
  dataDir?: string;
  /** Secured clusters: the PEM of the CA to trust, and the superuser's credentials. */
  ca?: string;
  username?: string;
  password?: string;
  stop(): Promise<void>;
  /** Stops node `n` (1-based) of a running multi-node cluster, as if it died (attached embedded only). */
  stopNode?(n: number): Promise<void>;
}

export type ProviderName = 'embedded' | 'testcontainers' | 'external';

/** Starts real clusters; configured fluently (`withVersion()`, `withNodes()`, ...) like testcontainers. */
export interface ClusterProvider {
  readonly name: ProviderName;
  start(): Promise<StartedCluster>;
}
