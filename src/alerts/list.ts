import type { Cluster } from '../cluster/index.js';
import type { Dsl } from '../compile/types.js';
import { ENGINE_INDICES } from '../engine/indices.js';
import type { AlertDocument } from './types.js';

export interface AlertFilter {
  /** Rule id, or a glob with `*`. */
  rule?: string;
  /** Only alerts written at or after this time. */
  since?: Date;
  marker?: string;
  /** Most alerts returned, newest first (default 100). */
  limit?: number;
  /** The alerts index (default `firedrill-alerts`). */
  index?: string;
}

/** Alerts in the cluster, newest first. */
export async function listAlerts(cluster: Cluster, filter: AlertFilter = {}): Promise<AlertDocument[]> {
  const filters: Dsl[] = [{ term: { 'event.kind': 'alert' } }];
  if (filter.rule)
    filters.push(
      filter.rule.includes('*')
        ? { wildcard: { 'rule.id': filter.rule } }
        : { term: { 'rule.id': filter.rule } },
    );
  if (filter.since) filters.push({ range: { '@timestamp': { gte: filter.since.toISOString() } } });
  if (filter.marker) filters.push({ term: { 'firedrill.marker': filter.marker } });
  const res = await cluster.search<AlertDocument>(filter.index ?? ENGINE_INDICES.alerts, {
    size: filter.limit ?? 100,
    sort: [{ '@timestamp': 'desc' }, { 'firedrill.alert.anchor': 'desc' }],
    query: { bool: { filter: filters } },
  });
  return res.hits.hits.map((hit) => hit._source);
}
