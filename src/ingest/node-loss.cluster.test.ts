import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Cluster } from '../cluster/index.js';
import { EmbeddedCluster } from '../providers/embedded/index.js';
import type { StartedCluster } from '../providers/types.js';
import { installPipelines } from '../../test/setup/install-pipelines.js';
import { uniqueName } from '../../test/setup/connect.js';
import { ingestRecords, IngestStopped, type IngestSummary } from './ingest.js';
import type { RawRecord } from './read.js';

// A 3-node cluster of its own (beside the run's shared one): one replica of every shard, and the node
// holding the event index's primary dies while a replay is writing to it.
const INDEX = 'logs-aws.cloudtrail-default';
const RECORDS = 5_000;
let started: StartedCluster;
let admin: Cluster;

beforeAll(async () => {
  started = await new EmbeddedCluster().withNodes(3).withHeap('512m').start();
  admin = await connect({ target: started.url });
  await installPipelines(admin);
}, 600_000);
afterAll(async () => {
  await admin?.close();
  await started?.stop();
});

function records(): RawRecord[] {
  return Array.from({ length: RECORDS }, (_, i) => {
    const value = {
      eventVersion: '1.09',
      eventTime: '2024-01-15T10:00:00Z',
      eventSource: 'iam.amazonaws.com',
      eventName: 'ListUsers',
      requestID: `node-loss-${i}`,
      userIdentity: { type: 'IAMUser', userName: 'alice', accountId: '111122223333' },
      recipientAccountId: '111122223333',
    };
    return { text: JSON.stringify(value), value, file: 'node-loss.jsonl', line: i + 1 };
  });
}

/** Node number (1-based, from its name `<cluster>-N`) holding each copy of the index's shard. */
async function shardNodes(): Promise<{ primary: number; replica: number }> {
  const res = await admin.request<{ prirep: string; node: string }[]>({
    method: 'GET',
    path: `/_cat/shards/${INDEX}`,
    query: { format: 'json', h: 'prirep,node' },
  });
  const node = (kind: string) =>
    Number(
      res.body
        .find((s) => s.prirep === kind)!
        .node.split('-')
        .pop(),
    );
  return { primary: node('p'), replica: node('r') };
}

describe('a data node lost in the middle of a replay', () => {
  it('completes, or stops cleanly and resumes: counts reconcile, nothing lost or doubled', async () => {
    const marker = uniqueName('node-loss');
    const input = records();
    // The index exists with one replica, green, before the replay starts.
    await ingestRecords(admin, input.slice(0, 1), { marker: `${marker}-warm` });
    await admin.request({
      method: 'PUT',
      path: '/logs-*/_settings',
      body: { 'index.number_of_replicas': 1 },
    });
    expect((await admin.health('green', '120s')).status).toBe('green');
    const { primary, replica } = await shardNodes();
    // Write through the node that holds no copy, so the client itself keeps its connection.
    const spare = [1, 2, 3].find((n) => n !== primary && n !== replica)!;
    const port = Number(new URL(started.url).port) + spare - 1;
    const client = await connect({ target: `http://localhost:${port}` });
    let stopping: Promise<void> | undefined;
    const options = {
      marker,
      batchSize: 250,
      onProgress: (summary: IngestSummary) => {
        if (summary.read >= 1000) stopping ??= started.stopNode!(primary);
      },
    };
    let summary: IngestSummary;
    let stops = 0;
    try {
      summary = await ingestRecords(client, input, options);
    } catch (error) {
      expect(error).toBeInstanceOf(IngestStopped);
      stops++;
      summary = await ingestRecords(client, input, { ...options, resume: (error as IngestStopped).position });
    }
    await stopping;
    expect(stopping).toBeDefined();
    expect(stops).toBeLessThanOrEqual(1);
    expect(summary).toMatchObject({ read: RECORDS, indexed: RECORDS, duplicates: 0, deadLettered: 0 });
    await client.refresh('logs-*');
    const byMarker = { term: { 'firedrill.marker': marker } };
    expect(await client.count('logs-*', byMarker)).toBe(RECORDS);
    const distinct = await client.search<unknown, { ids: { value: number } }>(INDEX, {
      size: 0,
      query: byMarker,
      aggs: { ids: { cardinality: { field: 'aws.cloudtrail.request_id', precision_threshold: 40000 } } },
    });
    expect(distinct.aggregations!.ids.value).toBe(RECORDS);
    await client.close();
  }, 900_000);
});
