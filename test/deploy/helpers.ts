import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { Cluster } from '../../src/cluster/index.js';
import { connectTestCluster, uniqueName } from '../setup/connect.js';

type Meta = { firedrill_hash?: string } | undefined;

/**
 * `kind:id` → content hash of every stamped resource under a name prefix, read straight from the
 * cluster (not through the deployer) so tests check what is really stored.
 */
export async function liveHashes(cluster: Cluster, prefix: string): Promise<Record<string, string>> {
  const hashes: Record<string, string> = {};
  const pipelines = await cluster.getPipelines<{ description?: string }>(`${prefix}-*`);
  for (const [id, p] of Object.entries(pipelines)) {
    const hash = /hash=([0-9a-f]{64})/.exec(p.description ?? '')?.[1];
    if (hash) hashes[`pipeline:${id}`] = hash;
  }
  const templates = await cluster.getIndexTemplates<{ _meta?: Meta }>(`${prefix}-*`);
  for (const [id, t] of Object.entries(templates))
    if (t._meta?.firedrill_hash) hashes[`index_template:${id}`] = t._meta.firedrill_hash;
  const components = await cluster.getComponentTemplates<{ _meta?: Meta }>(`${prefix}-*`);
  for (const [id, t] of Object.entries(components))
    if (t._meta?.firedrill_hash) hashes[`component_template:${id}`] = t._meta.firedrill_hash;
  for (const [id, meta] of Object.entries(await cluster.getIndexMetas(`${prefix}-*`)))
    if (typeof meta.firedrill_hash === 'string') hashes[`index:${id}`] = meta.firedrill_hash;
  await cluster.refresh(`${prefix}-rules`);
  const rules = await cluster.search<{ firedrill_managed?: Meta }>(`${prefix}-rules`, { size: 100 });
  for (const hit of rules.hits.hits)
    if (hit._source.firedrill_managed?.firedrill_hash)
      hashes[`rule:${hit._id}`] = hit._source.firedrill_managed.firedrill_hash;
  return hashes;
}

/** Removes everything a test created under its prefix, and that deployment's history and lock. */
export async function cleanup(cluster: Cluster, prefix: string): Promise<void> {
  for (const id of Object.keys(await cluster.getIndexTemplates(`${prefix}-*`)))
    await cluster.deleteIndexTemplate(id);
  for (const id of Object.keys(await cluster.getComponentTemplates(`${prefix}-*`)))
    await cluster.deleteComponentTemplate(id);
  for (const id of Object.keys(await cluster.getPipelines(`${prefix}-*`))) await cluster.deletePipeline(id);
  await cluster.deleteIndex(`${prefix}-*`);
  await cluster.deleteByQuery('firedrill-deployments', {
    bool: { should: [{ term: { deployment: prefix } }, { prefix: { deployment: `${prefix}-` } }] },
  });
}

/**
 * Hooks for a deploy test file: one connection for the file, a fresh resource-name prefix (and zeroed
 * request counters) for every test, and every prefix's resources removed at the end.
 */
export function deployTestContext(prefixBase: string): {
  cluster: Cluster;
  prefix: string;
  /** Removes another prefix's resources at the end too. */
  track(prefix: string): void;
} {
  const created: string[] = [];
  const context = {
    cluster: undefined as unknown as Cluster,
    prefix: '',
    track: (prefix: string) => void created.push(prefix),
  };
  beforeAll(async () => {
    context.cluster = await connectTestCluster();
  });
  afterAll(async () => {
    for (const prefix of created) await cleanup(context.cluster, prefix);
    await context.cluster.close();
  });
  beforeEach(() => {
    context.prefix = uniqueName(prefixBase);
    created.push(context.prefix);
    context.cluster.resetStats();
  });
  return context;
}
