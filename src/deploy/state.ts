import type { Cluster } from '../cluster/index.js';
import type { ResourceKind } from '../compile/types.js';
import { readStamp, type ManagedMeta } from './metadata.js';

/** A resource as it exists in the cluster now. */
export interface LiveResource {
  kind: ResourceKind;
  id: string;
  /** `rule` only: the index holding the document. */
  index?: string;
  /** The body as stored, stamp included: the before-image a failed deploy puts back. */
  stored: Record<string, unknown>;
  /** Present when firedrill manages it. */
  meta?: ManagedMeta;
}

/** `kind:id` (and the index, for rules): one key per cluster resource. */
export function resourceKey(r: { kind: ResourceKind; id: string; index?: string }): string {
  return r.kind === 'rule' ? `rule:${r.index}/${r.id}` : `${r.kind}:${r.id}`;
}

/**
 * Reads what is in the cluster with a fixed handful of requests: every pipeline and template some
 * firedrill deployment manages, the indices matching `indexPatterns` (the deployment's own names: a
 * least-privilege deployer may not read any other index), plus whatever (managed or not) sits at one of
 * the `wanted` index names.
 */
export async function readLiveState(
  cluster: Cluster,
  scope: { indices: string[]; indexPatterns: string[]; ruleIndices: string[] },
): Promise<Map<string, LiveResource>> {
  const live = new Map<string, LiveResource>();
  const add = (kind: ResourceKind, id: string, stored: Record<string, unknown>, index?: string) =>
    live.set(resourceKey({ kind, id, index }), { kind, id, index, stored, meta: readStamp(kind, stored) });

  const [pipelines, indexTemplates, componentTemplates, indexMetas] = await Promise.all([
    cluster.getPipelines('*'),
    cluster.getIndexTemplates('*'),
    cluster.getComponentTemplates('*'),
    cluster.getIndexMetas([...new Set(scope.indexPatterns)].join(',')),
  ]);
  for (const [id, body] of Object.entries(pipelines)) add('pipeline', id, body);
  for (const [id, body] of Object.entries(indexTemplates)) add('index_template', id, body);
  for (const [id, body] of Object.entries(componentTemplates)) add('component_template', id, body);
  for (const [id, meta] of Object.entries(indexMetas)) add('index', id, { mappings: { _meta: meta } });
  // A wanted index without a stamp still exists and must not be "created" over.
  const unstamped = scope.indices.filter((id) => !(id in indexMetas));
  const exists = await Promise.all(unstamped.map((id) => cluster.indexExists(id)));
  unstamped.forEach((id, i) => exists[i] && add('index', id, { mappings: {} }));

  for (const index of scope.ruleIndices) {
    const res = await cluster.search<Record<string, unknown>>(index, {
      size: 10_000,
      query: { match_all: {} },
    });
    for (const hit of res.hits.hits) add('rule', hit._id, hit._source, index);
  }
  return live;
}
