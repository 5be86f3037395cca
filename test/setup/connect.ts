import { inject } from 'vitest';
import { connect, type Cluster } from '../../src/cluster/index.js';

/** Connects to the run's shared test cluster. */
export function connectTestCluster(): Promise<Cluster> {
  return connect({ target: inject('clusterUrl') });
}

/** A name unique to this test run, for indices, markers and pipelines that must not collide. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}
