import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { connect, type Cluster } from '../cluster/index.js';
import { compilePipelines } from '../compile/index.js';
import { layoutOf } from '../layout/index.js';
import { uniqueName } from '../../test/setup/connect.js';
import { FaultProxy } from './fixtures/fault-proxy.js';
import { ingestRecords, IngestStopped, type IngestOptions, type IngestSummary } from './ingest.js';
import { splitRecords, type RawRecord } from './read.js';

// The production path behind a loopback proxy that fails like production does. Each test ingests under
// its own marker into its own deployment and checks the counts against what the cluster holds.
const deployment = uniqueName('faults');
const layout = layoutOf(deployment);
let direct: Cluster;
let proxy: FaultProxy;
let viaProxy: Cluster;
const FAST: IngestOptions['retry'] = { initialDelayMs: 20, maxDelayMs: 200 };

beforeAll(async () => {
  direct = await connect({ target: inject('clusterUrl') });
  for (const resource of compilePipelines('pipelines').map((r) => layout.scope(r))) {
    if (resource.kind === 'component_template') await direct.putComponentTemplate(resource.id, resource.body);
    else if (resource.kind === 'index_template') await direct.putIndexTemplate(resource.id, resource.body);
    else await direct.putPipeline(resource.id, resource.body);
  }
  proxy = await FaultProxy.start(inject('clusterUrl'));
  viaProxy = await connect({ target: proxy.url, requestTimeoutMs: 2_000 });
});
afterAll(async () => {
  await direct?.deleteByQuery(layout.eventIndices, { match_all: {} });
  for (const index of [
    layout.deadLetterIndex,
    ...['aws.cloudtrail'].map((d) => `${deployment}-logs-${d}-default`),
  ])
    await direct?.request({
      method: 'PUT',
      path: `/${index}/_settings`,
      body: { 'index.blocks.write': null },
    });
  await viaProxy?.close();
  await proxy?.close();
  await direct?.close();
});

/** CloudTrail records; without `eventID` the id is the record's hash, so only that keeps retries exact. */
function records(count: number, options: { ids?: boolean; file?: string } = {}): RawRecord[] {
  return Array.from({ length: count }, (_, i) => {
    const value = {
      eventVersion: '1.09',
      eventTime: '2024-01-15T10:00:00Z',
      eventSource: 'iam.amazonaws.com',
      eventName: 'ListUsers',
      ...(options.ids === false ? {} : { eventID: uniqueName(`evt${i}`) }),
      requestID: uniqueName(`req${i}`),
      userIdentity: { type: 'IAMUser', userName: 'alice', accountId: '111122223333' },
      recipientAccountId: '111122223333',
    };
    return {
      text: JSON.stringify(value),
      value,
      file: options.file ?? 'faults.json',
      line: i + 1,
      index: i + 1,
    };
  });
}

/** What the cluster holds for a marker: events, dead letters, and distinct records among the events. */
async function stored(marker: string): Promise<{ events: number; deadLetters: number; distinct: number }> {
  await direct.refresh(layout.eventIndices);
  const byMarker = { term: { 'firedrill.marker': marker } };
  const res = await direct.search<unknown, { distinct: { value: number } }>(
    layout.eventIndices,
    {
      size: 0,
      query: byMarker,
      aggs: { distinct: { cardinality: { field: 'aws.cloudtrail.request_id', precision_threshold: 40000 } } },
    },
    { track_total_hits: true },
  );
  const deadLetters = await direct.count(layout.deadLetterIndex, byMarker);
  const all = await direct.count(layout.eventIndices, byMarker);
  return { events: all - deadLetters, deadLetters, distinct: res.aggregations!.distinct.value };
}

function expectReconciled(summary: IngestSummary, held: Awaited<ReturnType<typeof stored>>): void {
  expect(summary.read).toBe(summary.indexed + summary.duplicates + summary.deadLettered);
  expect(held.events).toBe(summary.indexed);
  expect(held.deadLetters).toBe(summary.deadLettered);
  expect(held.distinct).toBe(held.events);
}

async function ingestVia(
  cluster: Cluster,
  input: RawRecord[],
  options: IngestOptions,
): Promise<IngestSummary> {
  return ingestRecords(cluster, input, { deployment, batchSize: 50, retry: FAST, ...options });
}

describe('ingest through a faulty network', () => {
  it('retries whole requests answered 429, 502, 503 and 504 until every record is in', async () => {
    const marker = uniqueName('status');
    const statuses = [429, 502, 503, 504];
    proxy.use({ request: ({ n }) => (n % 3 === 0 ? { status: statuses[(n / 3) % 4] } : undefined) });
    const summary = await ingestVia(viaProxy, records(400, { ids: false }), { marker });
    expect(proxy.seen.faults).toBeGreaterThanOrEqual(statuses.length);
    proxy.use();
    expect(summary).toMatchObject({ read: 400, indexed: 400, duplicates: 0, deadLettered: 0 });
    expect(summary.retries).toBeGreaterThan(0);
    expectReconciled(summary, await stored(marker));
  });

  it('sends again what got no answer, without writing anything twice (no event ids, so the id is the hash)', async () => {
    const marker = uniqueName('lost');
    // Reset before the cluster saw it, reset after it wrote it, and an answer slower than the 2 s timeout.
    const faults = [{ reset: 'before' as const }, { reset: 'after' as const }, { delayMs: 3_000 }];
    proxy.use({ request: ({ n }) => (n < 6 && n % 2 === 0 ? faults[n / 2] : undefined) });
    const summary = await ingestVia(viaProxy, records(300, { ids: false }), { marker });
    expect(proxy.seen.faults).toBe(3);
    proxy.use();
    expect(summary).toMatchObject({ read: 300, indexed: 300, duplicates: 0, deadLettered: 0 });
    expectReconciled(summary, await stored(marker));
  });

  it('retries items refused for a while (429, rejected execution, unavailable shards, 503), dead-letters none', async () => {
    const marker = uniqueName('items');
    const kinds = [
      { status: 429, type: 'es_rejected_execution_exception' },
      { status: 503, type: 'unavailable_shards_exception' },
      { status: 503, type: 'node_closed_exception' },
    ];
    proxy.use({ item: (k) => (k % 7 === 0 && k < 1500 ? kinds[k % 3] : undefined) });
    const summary = await ingestVia(viaProxy, records(300), { marker });
    expect(proxy.seen.faults).toBeGreaterThan(40);
    proxy.use();
    expect(summary).toMatchObject({ read: 300, indexed: 300, deadLettered: 0 });
    expectReconciled(summary, await stored(marker));
  });

  it('stops with a position when retries are used up, and the resume adds up exactly', async () => {
    const marker = uniqueName('exhausted');
    const input = records(250, { ids: false });
    proxy.use({ request: ({ n }) => (n >= 2 ? { status: 429 } : undefined) });
    const stop = await ingestVia(viaProxy, input, { marker, retry: { ...FAST, attempts: 3 } }).catch(
      (e) => e,
    );
    proxy.use();
    expect(stop).toBeInstanceOf(IngestStopped);
    expect((stop as IngestStopped).exitCode).toBe(3);
    const { position } = stop as IngestStopped;
    expect(position).toMatchObject({ done: 100, summary: { read: 100, indexed: 100 } });
    expectReconciled(position.summary, await stored(marker));

    const summary = await ingestVia(direct, input, { marker, resume: position });
    expect(summary).toMatchObject({ read: 250, indexed: 250, duplicates: 0, deadLettered: 0 });
    expectReconciled(summary, await stored(marker));
  });

  it('sizes bulks by bytes under the limit the cluster reports; a record too large for any request is dead-lettered', async () => {
    const marker = uniqueName('size');
    proxy.use({ maxContentLength: 1024 * 1024 });
    const input = records(40).map((r, i) => {
      const value = {
        ...(r.value as object),
        requestParameters: { blob: 'x'.repeat(i === 7 ? 1_500_000 : 250_000) },
      };
      return { ...r, text: JSON.stringify(value), value };
    });
    const summary = await ingestVia(viaProxy, input, { marker, batchSize: 500 });
    proxy.use();
    expect(summary).toMatchObject({ read: 40, indexed: 39, deadLettered: 1 });
    expect(summary.failures[0]).toMatchObject({
      line: 8,
      reason: expect.stringMatching(/^a record of 1\.4 MB is larger than the 960 KB one request may carry$/),
    });
    const counts = await stored(marker); // refreshes: the dead letter is searchable only after that
    const [letter] = (
      await direct.search<{
        event: { original: string };
        firedrill: { dead_letter: Record<string, unknown> };
      }>(layout.deadLetterIndex, { query: { term: { 'firedrill.marker': marker } } })
    ).hits.hits;
    expect(letter!._source.event.original).toHaveLength(4096);
    expect(letter!._source.firedrill.dead_letter).toMatchObject({
      stage: 'read',
      size: input[7]!.text.length,
      truncated: true,
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expectReconciled(summary, counts);
  });

  it('halves bulks the cluster refuses as too large (413) when it does not say its limit', async () => {
    const marker = uniqueName('413');
    proxy.use({ request: ({ bytes }) => (bytes > 300_000 ? { status: 413 } : undefined) });
    const input = records(30).map((r) => {
      const value = { ...(r.value as object), requestParameters: { blob: 'y'.repeat(50_000) } };
      return { ...r, text: JSON.stringify(value), value };
    });
    const summary = await ingestVia(viaProxy, input, { marker, batchSize: 30 });
    expect(proxy.seen.faults).toBeGreaterThan(0);
    proxy.use();
    expect(summary).toMatchObject({ read: 30, indexed: 30, deadLettered: 0 });
    expectReconciled(summary, await stored(marker));
  });
});

describe('a cluster that refuses writes', () => {
  const eventIndex = `${deployment}-logs-aws.cloudtrail-default`;
  const block = (index: string, setting: string, value: boolean | null) =>
    direct.request({ method: 'PUT', path: `/${index}/_settings`, body: { [setting]: value } });

  it('stops at a flood-stage block (read-only, allow delete), then resumes exactly once it is lifted', async () => {
    const marker = uniqueName('flood');
    const input = records(300, { ids: false });
    await ingestVia(direct, input.slice(0, 1), { marker: `${marker}-warm` }); // the index exists
    await block(eventIndex, 'index.blocks.read_only_allow_delete', true);
    let stop: unknown;
    try {
      stop = await ingestVia(direct, input, { marker, retry: { ...FAST, attempts: 3 } }).catch((e) => e);
    } finally {
      await block(eventIndex, 'index.blocks.read_only_allow_delete', null);
    }
    expect(stop).toBeInstanceOf(IngestStopped);
    const { position, message } = stop as IngestStopped;
    expect(message).toMatch(/cluster_block_exception/);
    expect(position.summary.read).toBe(position.done);
    const summary = await ingestVia(direct, input, { marker, resume: position });
    expect(summary).toMatchObject({ read: 300, indexed: 300, duplicates: 0, deadLettered: 0 });
    expectReconciled(summary, await stored(marker));
  });

  it('stops at once at a write block on the dead-letter index instead of losing a record', async () => {
    const marker = uniqueName('dlq');
    const input = [...records(60), ...splitRecords('this is not json\n', 'bad.log')];
    await ingestVia(direct, [...splitRecords('nor this\n', 'warm.log')], { marker: `${marker}-warm` });
    await block(layout.deadLetterIndex, 'index.blocks.write', true);
    let stop: unknown;
    try {
      stop = await ingestVia(direct, input, { marker, batchSize: 100 }).catch((e) => e);
    } finally {
      await block(layout.deadLetterIndex, 'index.blocks.write', null);
    }
    expect(stop).toBeInstanceOf(IngestStopped);
    const { position } = stop as IngestStopped;
    expect(position.summary).toMatchObject({ read: 60, indexed: 60, deadLettered: 0 });
    const summary = await ingestVia(direct, input, { marker, resume: position });
    expect(summary).toMatchObject({ read: 61, indexed: 60, deadLettered: 1 });
    expectReconciled(summary, await stored(marker));
  });
});
