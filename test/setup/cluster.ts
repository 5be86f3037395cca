import type { TestProject } from 'vitest/node';
import { EmbeddedCluster } from '../../src/providers/embedded/index.js';

declare module 'vitest' {
  export interface ProvidedContext {
    clusterUrl: string;
  }
}

/**
 * Provides `clusterUrl` to every cluster test: FIREDRILL_TEST_TARGET if set, otherwise one embedded
 * 1-node OpenSearch (FIREDRILL_TEST_OPENSEARCH_VERSION, default 2.19.1) for the whole run.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const target = process.env.FIREDRILL_TEST_TARGET;
  if (target) {
    project.provide('clusterUrl', target);
    return async () => {};
  }
  const cluster = new EmbeddedCluster().withClusterName(`firedrill-test-${process.pid}`);
  const version = process.env.FIREDRILL_TEST_OPENSEARCH_VERSION;
  if (version) cluster.withVersion(version);
  const started = await cluster.start();
  process.stderr.write(
    `cluster tests run against embedded OpenSearch ${started.version} at ${started.url}\n`,
  );
  project.provide('clusterUrl', started.url);
  return () => started.stop();
}
