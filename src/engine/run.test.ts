import { describe, expect, it } from 'vitest';
import { Cluster, type RawResponse, type RequestParams, type Transport } from '../cluster/index.js';
import { ruleDocument } from '../compile/engine.js';
import { withHash } from '../compile/rules/index.js';
import type { CompiledQueryRule } from '../compile/types.js';
import { contentHash, managedMeta, stamp } from '../deploy/metadata.js';
import { runOnce } from './run.js';

/**
 * The Elasticsearch request contract of one live run of a query rule (no Elasticsearch on this machine;
 * the same run is exercised against a real OpenSearch node in src/engine/evaluate/*.cluster.test.ts).
 */
const { hash: _hash, ...unhashed } = {
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
const rule = withHash(unhashed) as CompiledQueryRule;
/** The rule as the deployer stores it: the engine checks the stamp and hashes before it runs a rule. */
const body = ruleDocument(rule);
const document = stamp({ kind: 'rule', body }, managedMeta('default', contentHash(body)));

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
  constructor(private readonly now: number) {}
  private answer({ method, path, body, query: params }: RequestParams): unknown {
    const query = JSON.stringify(body ?? {});
    if (method === 'POST' && path === '/_bulk') return { items: [{ create: { status: 201 } }] };
    if (path === '/_ingest/pipeline/_simulate')
      return { docs: [{ doc: { _source: { now: new Date(this.now).toISOString() } } }] };
    if (path === '/_search/scroll') return { ...hits([]), _scroll_id: 's1' };
    if (method === 'DELETE') return {};
    if (path.endsWith('/_refresh')) return {};
    if (path === '/firedrill-rules/_search')
      return hits([{ _index: 'firedrill-rules', _id: 'r-root', _source: document }]);
    if (path === '/firedrill-engine-state/_mget') return { docs: [{ _id: 'r-root', found: false }] };
    if (path === '/logs-aws.cloudtrail-*/_search' && query.includes('date_histogram'))
      return { ...hits([]), aggregations: { seconds: { buckets: [{ key: 1709633040000, doc_count: 2 }] } } };
    if (path === '/logs-aws.cloudtrail-*/_search' && params?.scroll)
      return {
        ...hits([
          { ...event('e-alice', 'alice'), matched_queries: [] },
          { ...event('e-root', 'root'), matched_queries: ['r-root'] },
        ]),
        _scroll_id: 's1',
      };
    return {};
  }
}

function hits(list: unknown[]) {
  return { took: 1, hits: { total: { value: list.length, relation: 'eq' }, hits: list } };
}

describe('runOnce request contract (Elasticsearch)', () => {
  it('reads new events with every rule query named, and writes the matched one create-only, then the state', async () => {
    const now = Date.parse('2024-03-05T10:05:00Z');
    const transport = new RecordingTransport(now);
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
    const report = await runOnce(cluster, { now: () => now });
    expect(report.rules).toMatchObject([{ ruleId: 'r-root', findings: 1, written: 1 }]);

    const fetch = transport.requests.find(
      (r) => r.path === '/logs-aws.cloudtrail-*/_search' && r.query?.scroll,
    )!;
    // Each rule's query is named after the rule: every hit says which rules it matched.
    expect(fetch.body).toMatchObject({
      _source: { excludes: ['event.original'] },
      query: {
        bool: {
          filter: [
            {
              range: {
                'event.ingested': {
                  gte: now - 600_000,
                  lt: now,
                  format: 'epoch_millis',
                },
              },
            },
          ],
          should: [{ bool: { filter: [rule.query], _name: 'r-root' } }],
          minimum_should_match: 1,
        },
      },
    });
    const [alerts, states] = transport.requests.filter((r) => r.path === '/_bulk');
    expect(alerts!.ndjson![0]).toMatchObject({ create: { _index: 'firedrill-alerts' } });
    expect(alerts!.ndjson![1]).toMatchObject({
      rule: { id: 'r-root' },
      user: { name: 'root' },
      event: { kind: 'alert' },
    });
    // A rule's first state is created only if no other process created it meanwhile.
    expect(states!.ndjson![0]).toEqual({ create: { _index: 'firedrill-engine-state', _id: 'r-root' } });
    expect(states!.ndjson![1]).toMatchObject({
      type: 'rule',
      rule_id: 'r-root',
      checkpoint: new Date(now).toISOString(),
      visible: { '1709633040000': 2 },
      alerts: 1,
    });
    const order = transport.requests.map((r) => `${r.method} ${r.path}`);
    // What was ingested before the run is made searchable before anything is read.
    const refreshed = order.indexOf('POST /logs-aws.cloudtrail-*/_refresh');
    expect(refreshed).toBeGreaterThanOrEqual(0);
    expect(refreshed).toBeLessThan(order.indexOf('POST /_ingest/pipeline/_simulate'));
    expect(order.indexOf('POST /firedrill-alerts/_refresh')).toBeLessThan(order.lastIndexOf('POST /_bulk'));
  });
});
