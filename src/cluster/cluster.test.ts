import { describe, expect, it } from 'vitest';
import { Cluster, parseByteSize } from './cluster.js';
import type { RawResponse, Transport } from './types.js';

describe('parseByteSize', () => {
  it('reads the engines’ byte sizes, and nothing else', () => {
    expect(['100mb', '512kb', '1gb', '2048b', '2048', '1.5mb', ' 10MB '].map(parseByteSize)).toEqual([
      104_857_600, 524_288, 1_073_741_824, 2048, 2048, 1_572_864, 10_485_760,
    ]);
    expect(['', 'lots', '-1mb', '10 parsecs'].map(parseByteSize)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});

describe('Cluster.request', () => {
  const info = {
    distribution: 'opensearch',
    version: '2.19.1',
    major: 2,
    clusterName: 'c',
    url: 'http://x',
  } as const;
  const starting = { status: 503, body: { error: { type: 'search_phase_execution_exception' } } };

  it('waits while a new index’s shards start (all shards failed), then answers', async () => {
    const answers: RawResponse<unknown>[] = [starting, starting, { status: 200, body: { deleted: 0 } }];
    let calls = 0;
    const transport = { request: async () => answers[calls++]! } as unknown as Transport;
    const res = await new Cluster(info, transport).request({ method: 'POST', path: '/i/_delete_by_query' });
    expect(res.status).toBe(200);
    expect(calls).toBe(3);
  });

  it('passes any other 503 straight back to its caller, which has its own retries', async () => {
    let calls = 0;
    const transport = {
      request: async () => (calls++, { status: 503, body: { error: { type: 'unavailable' } } }),
    } as unknown as Transport;
    const res = await new Cluster(info, transport).request({ method: 'POST', path: '/_bulk' });
    expect([res.status, calls]).toEqual([503, 1]);
  });
});
