import type { Cluster } from '../cluster/index.js';
import type { Dsl } from '../compile/types.js';
import type { AlertDocument } from '../engine/alert-document.js';
import { layoutOf } from '../layout/index.js';

export interface AlertFilter {
  /** The deployment whose alerts are read (default `default`). */
  deployment?: string;
  /** Rule id, or a glob with `*`. */
  rule?: string;
  /** Only alerts written at or after this time. */
  since?: Date;
  /** Only alerts of one replay run. */
  marker?: string;
  /** Most alerts returned, newest first (default 100). */
  limit?: number;
  /** Refresh the alerts index first, so alerts the engine has just written are seen. */
  refresh?: boolean;
}

const PAGE = 1000;

/**
 * Alerts in the cluster, newest first: the one reader behind `firedrill alerts`, the scenario harness and
 * `firedrill/testing`. Pages with `search_after`, so any limit is honoured.
 */
export async function readAlerts(cluster: Cluster, filter: AlertFilter = {}): Promise<AlertDocument[]> {
  const index = layoutOf(filter.deployment).alertsIndex;
  if (filter.refresh) await cluster.refresh(index);
  const filters: Dsl[] = [{ term: { 'event.kind': 'alert' } }];
  if (filter.rule)
    filters.push(
      filter.rule.includes('*')
        ? { wildcard: { 'rule.id': filter.rule } }
        : { term: { 'rule.id': filter.rule } },
    );
  if (filter.since) filters.push({ range: { '@timestamp': { gte: filter.since.toISOString() } } });
  if (filter.marker) filters.push({ term: { 'firedrill.marker': filter.marker } });
  const limit = filter.limit ?? 100;
  const alerts: AlertDocument[] = [];
  let after: unknown[] | undefined;
  while (alerts.length < limit) {
    const res = await cluster.search<AlertDocument>(index, {
      size: Math.min(PAGE, limit - alerts.length),
      sort: [{ '@timestamp': 'desc' }, { 'firedrill.alert.anchor': 'desc' }, { 'event.id': 'asc' }],
      query: { bool: { filter: filters } },
      ...(after ? { search_after: after } : {}),
    });
    const hits = res.hits.hits;
    alerts.push(...hits.map((hit) => hit._source));
    if (hits.length === 0 || !hits[hits.length - 1]!.sort) break;
    after = hits[hits.length - 1]!.sort;
  }
  return alerts;
}
