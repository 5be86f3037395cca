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
});
