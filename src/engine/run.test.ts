import { describe, expect, it } from 'vitest';
import { Cluster, type RawResponse, type RequestParams, type Transport } from '../cluster/index.js';
import type { CompiledQueryRule } from '../compile/types.js';
import { runOnce } from './run.js';

/**
 * The Elasticsearch request contract of one live run of a query rule (no Elasticsearch on this machine;
 * the same run is exercised against a real OpenSearch node in src/engine/evaluate/*.cluster.test.ts).
 */
const rule = {
  id: 'r-root',
  name: 'root creates a user',
  description: 'd',
  type: 'query',
  severity: 'high',
  riskScore: 73,
  threat: [],
  tags: [],
  index: ['logs-aws.cloudtrail-*'],
  enabled: true,
  intervalMs: 300_000,
  lookbackMs: 600_000,
  maxAlerts: 10,
  suppressionMs: 0,
  groupBy: ['event.id'],
  investigation: [],
  falsePositives: [],
  hash: 'h',
  query: { term: { 'firedrill.actor.type': 'root' } },
} satisfies CompiledQueryRule;

const event = (id: string, actor: string) => ({
  _index: 'logs-aws.cloudtrail-default',
  _id: id,
  _source: { '@timestamp': '2024-03-05T10:00:00Z', event: { id }, user: { name: actor } },
  fields: { '@timestamp': ['1709632800000'], 'event.ingested': ['1709632900000'] },
});

class RecordingTransport implements Transport {
  readonly distribution = 'elasticsearch' as const;
  readonly requests: RequestParams[] = [];
  async request<T>(params: RequestParams): Promise<RawResponse<T>> {
    this.requests.push(params);
    return { status: 200, body: this.answer(params) as T };
  }
  async close(): Promise<void> {}
  private answer({ method, path, body }: RequestParams): unknown {
    const query = JSON.stringify(body ?? {});
    if (method === 'POST' && path === '/_bulk') return { items: [{ create: { status: 201 } }] };
    if (path.endsWith('/_refresh')) return {};
    if (path === '/firedrill-rules/_search' && query.includes('percolate'))
      return hits([
        {
          _index: 'firedrill-rules',
          _id: 'r-root',
          _source: { firedrill_rule_id: 'r-root' },
          fields: { _percolator_document_slot: [1] },
        },
      ]);
    if (path === '/firedrill-rules/_search')
      return hits([{ _index: 'firedrill-rules', _id: 'r-root', _source: { firedrill_rule: rule } }]);
    if (path === '/firedrill-engine-state/_search') return hits([]);
    if (path === '/logs-aws.cloudtrail-*/_search')
      return hits([event('e-alice', 'alice'), event('e-root', 'root')]);
    return {};
  }
}

function hits(list: unknown[]) {
  return { took: 1, hits: { total: { value: list.length, relation: 'eq' }, hits: list } };
}

describe('runOnce request contract (Elasticsearch)', () => {
  it('percolates new events against the stored rules and writes the matched one create-only, then the checkpoint', async () => {
    const transport = new RecordingTransport();
    const cluster = new Cluster(
      {
        distribution: 'elasticsearch',
        version: '8.15.0',
        major: 8,
        clusterName: 'es',
        url: 'http://es:9200',
      },
      transport,
    );
    const now = Date.parse('2024-03-05T10:05:00Z');
    const report = await runOnce(cluster, { now: () => now, settleMs: 1000 });
    expect(report.rules).toMatchObject([{ ruleId: 'r-root', findings: 1, written: 1 }]);

    const fetch = transport.requests.find((r) => r.path === '/logs-aws.cloudtrail-*/_search')!;
    expect(fetch.body).toMatchObject({
      _source: { excludes: ['event.original'] },
      query: {
        bool: {
          filter: [
            { bool: { should: [rule.query], minimum_should_match: 1 } },
            {
              range: {
                'event.ingested': {
                  gte: now - 1000 - 600_000 + 1,
                  lt: now - 1000 + 1,
                  format: 'epoch_millis',
                },
              },
            },
          ],
        },
      },
    });
    const percolate = transport.requests.find((r) => JSON.stringify(r.body ?? {}).includes('percolate'))!;
    expect(percolate.body).toMatchObject({
      query: {
        bool: {
          filter: [
            {
              percolate: {
                field: 'firedrill_percolator',
                documents: [{ user: { name: 'alice' } }, { user: { name: 'root' } }],
              },
            },
            { terms: { firedrill_rule_id: ['r-root'] } },
          ],
        },
      },
    });
    const [alerts, checkpoints] = transport.requests.filter((r) => r.path === '/_bulk');
    expect(alerts!.ndjson![0]).toMatchObject({ create: { _index: 'firedrill-alerts' } });
    expect(alerts!.ndjson![1]).toMatchObject({
      rule: { id: 'r-root' },
      user: { name: 'root' },
      event: { kind: 'alert' },
    });
    expect(checkpoints!.ndjson![0]).toEqual({ index: { _index: 'firedrill-engine-state', _id: 'r-root' } });
    expect(checkpoints!.ndjson![1]).toMatchObject({
      rule_id: 'r-root',
      ingested_through: new Date(now - 1000).toISOString(),
    });
    const order = transport.requests.map((r) => `${r.method} ${r.path}`);
    expect(order.indexOf('POST /firedrill-alerts/_refresh')).toBeLessThan(order.lastIndexOf('POST /_bulk'));
  });
});
