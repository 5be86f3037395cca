import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestCluster, uniqueName } from '../../test/setup/connect.js';
import type { Cluster } from './cluster.js';

describe('Cluster against a real node', () => {
  let cluster: Cluster;
  const index = uniqueName('fdt-cluster');

  beforeAll(async () => {
    cluster = await connectTestCluster();
  });
  afterAll(async () => {
    await cluster.deleteIndex(index);
    await cluster.close();
  });

  it('detects distribution and version from GET /', () => {
    expect(['opensearch', 'elasticsearch']).toContain(cluster.info.distribution);
    expect(cluster.info.major).toBeGreaterThanOrEqual(2);
  });

  it('writes create-only and reports a duplicate as a conflict, not an error', async () => {
    const first = await cluster.putDoc(index, 'a', { n: 1 }, { opType: 'create', refresh: true });
    const again = await cluster.putDoc(index, 'a', { n: 2 }, { opType: 'create' });
    expect(first.result).toBe('written');
    expect(again.result).toBe('conflict');
    expect((await cluster.getDoc<{ n: number }>(index, 'a'))?._source.n).toBe(1);
  });

  it('honours optimistic concurrency', async () => {
    const doc = await cluster.getDoc(index, 'a');
    const stale = { ifSeqNo: doc!._seq_no + 5, ifPrimaryTerm: doc!._primary_term };
    expect((await cluster.putDoc(index, 'a', { n: 3 }, stale)).result).toBe('conflict');
    const fresh = { ifSeqNo: doc!._seq_no, ifPrimaryTerm: doc!._primary_term };
    expect((await cluster.putDoc(index, 'a', { n: 3 }, fresh)).result).toBe('written');
  });

  it('returns one result per bulk action, failures included', async () => {
    const items = await cluster.bulk(
      [
        { create: { _index: index, _id: 'b' }, doc: { n: 1 } },
        { create: { _index: index, _id: 'a' }, doc: { n: 1 } },
      ],
      { refresh: true },
    );
    expect(items.map((i) => i.status)).toEqual([201, 409]);
    expect(await cluster.count(index)).toBe(2);
  });

  it('counts writes separately from reads', async () => {
    cluster.resetStats();
    await cluster.search(index, { query: { match_all: {} } });
    await cluster.getPipeline('does-not-exist');
    expect(cluster.stats.writes).toBe(0);
    await cluster.refresh(index);
    expect(cluster.stats.writeLog).toEqual([`POST /${index}/_refresh`]);
  });

  it('deletes tens of thousands of documents across shards in one call', async () => {
    // OpenSearch sends a header per sub-task of a delete-by-query: over 60,000 documents in 10 shards they
    // came to hundreds of kilobytes, and Node refused the response ("Header overflow").
    const many = `${index}-many`;
    await cluster.createIndex(many, { settings: { number_of_shards: 10, number_of_replicas: 0 } });
    try {
      for (let start = 0; start < 60_000; start += 10_000) {
        const items = await cluster.bulk(
          Array.from({ length: 10_000 }, (_, i) => ({
            create: { _index: many },
            doc: { kind: 'doomed', n: start + i },
          })),
        );
        expect(items.every((item) => item.status === 201)).toBe(true);
      }
      await cluster.refresh(many);
      expect(await cluster.deleteByQuery(many, { term: { kind: 'doomed' } })).toBe(60_000);
      expect(await cluster.count(many)).toBe(0);
    } finally {
      await cluster.deleteIndex(many);
    }
  });
});
