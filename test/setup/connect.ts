import { inject } from 'vitest';
import { connect, connectOptionsFromEnv, type Cluster } from '../../src/cluster/index.js';

/** Connects to the run's shared test cluster (a secured one through the URL's user info and FIREDRILL_CA_CERT). */
export function connectTestCluster(): Promise<Cluster> {
  return connect(connectOptionsFromEnv(inject('clusterUrl')));
}

/** A name unique to this test run, for indices, markers and pipelines that must not collide. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}
