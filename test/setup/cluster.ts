import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    clusterUrl: string;
  }
}

/** Provides `clusterUrl` to every cluster test: FIREDRILL_TEST_TARGET if set. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const url = process.env.FIREDRILL_TEST_TARGET;
  if (!url) throw new Error('set FIREDRILL_TEST_TARGET to a running cluster');
  project.provide('clusterUrl', url);
  return async () => {};
}
