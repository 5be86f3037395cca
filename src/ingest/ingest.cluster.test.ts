import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installPipelines } from '../../test/setup/install-pipelines.js';
import { connectTestCluster, uniqueName } from '../../test/setup/connect.js';
import type { Cluster } from '../cluster/index.js';
import { compilePipelines } from '../compile/index.js';
import { layoutOf } from '../layout/index.js';
import { sourceById } from '../sources/index.js';
import { ingestRecords, type IngestSummary } from './ingest.js';

const DEAD_LETTER_INDEX = layoutOf().deadLetterIndex;
import { readRecords, type RawRecord } from './read.js';

let cluster: Cluster;
beforeAll(async () => {
  cluster = await connectTestCluster();
  await installPipelines(cluster);
});
afterAll(async () => cluster?.close());

function createUser(eventID: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventVersion: '1.09',
    eventTime: '2024-01-15T10:00:00Z',
    eventSource: 'iam.amazonaws.com',
    eventName: 'CreateUser',
    eventID,
    awsRegion: 'us-east-1',
    sourceIPAddress: '203.0.113.10',
    userAgent: 'aws-cli/2.15.10',
    userIdentity: { type: 'IAMUser', userName: 'alice', accountId: '111122223333' },
    requestParameters: { userName: 'svc-new' },
    recipientAccountId: '111122223333',
    ...overrides,
  };
}

function record(value: unknown, line = 1): RawRecord {
  return { text: JSON.stringify(value), value, file: 'test.json', line };
}

interface StoredEvent {
  '@timestamp': string;
  event: { original?: string; kind: string };
  firedrill: { source?: string; dead_letter?: Record<string, unknown> };
}

async function byMarker(marker: string): Promise<{ _index: string; _source: StoredEvent }[]> {
  const res = await cluster.search<StoredEvent>('logs-*', {
    query: { term: { 'firedrill.marker': marker } },
    size: 100,
  });
  return res.hits.hits;
}

describe('ingestRecords', () => {
  it('dead-letters a record the index refuses after the pipeline, with its text and where it came from', async () => {
    const marker = uniqueName('ingest');
    const bad = createUser(uniqueName('evt'), { managementEvent: 'sometimes' });
    const summary = await ingestRecords(cluster, [record(createUser(uniqueName('evt'))), record(bad, 2)], {
      marker,
      refresh: true,
    });
    expect(summary).toMatchObject({ read: 2, indexed: 1, duplicates: 0, deadLettered: 1 });
    expect(summary.failures).toEqual([
      {
        file: 'test.json',
        line: 2,
        index: undefined,
        reason: expect.stringMatching(/^mapper_parsing_exception: .*management_event/),
      },
    ]);
    const deadLetter = (await byMarker(marker)).find((d) => d._index === DEAD_LETTER_INDEX)!;
    expect(deadLetter._source.event).toMatchObject({ kind: 'pipeline_error', original: JSON.stringify(bad) });
    expect(deadLetter._source.firedrill.dead_letter).toEqual({ stage: 'index', file: 'test.json', line: 2 });
  });

  it('rewrites parsed records with the transform hook and reports progress per batch', async () => {
    const marker = uniqueName('shift');
    const records = [1, 2, 3].map(() => record(createUser(uniqueName('evt'))));
    const progress: IngestSummary[] = [];
    await ingestRecords(cluster, records, {
      marker,
      batchSize: 2,
      refresh: true,
      transform: (r) => ({ ...(r as object), eventTime: '2030-06-01T12:00:00Z' }),
      onProgress: (p) => progress.push(p),
    });
    expect(progress.map((p) => p.indexed)).toEqual([2, 3]);
    const docs = await byMarker(marker);
    expect(docs.map((d) => d._source['@timestamp'])).toEqual(Array(3).fill('2030-06-01T12:00:00.000Z'));
  });

  it('reads gzipped JSON lines with a broken line: every record is indexed or dead-lettered', async () => {
    const marker = uniqueName('gz');
    const file = join(mkdtempSync(join(tmpdir(), 'fd-ingest-')), 'trail.jsonl.gz');
    const lines = [
      JSON.stringify(createUser(uniqueName('evt'))),
      '{"eventID": "cut off',
      JSON.stringify(createUser(uniqueName('evt'))),
    ];
    writeFileSync(file, gzipSync(lines.join('\n')));
    const summary = await ingestRecords(cluster, readRecords(file), {
      marker,
      source: sourceById('aws-cloudtrail'),
      refresh: true,
    });
    expect(summary).toMatchObject({ read: 3, indexed: 2, duplicates: 0, deadLettered: 1 });
    expect(summary.failures.map((f) => f.line)).toEqual([2]);
    const deadLetter = (await byMarker(marker)).find((d) => d._index === DEAD_LETTER_INDEX)!;
    expect(deadLetter._source.event.original).toBe('{"eventID": "cut off');
    expect(deadLetter._source.firedrill).toMatchObject({
      source: 'aws-cloudtrail',
      dead_letter: { processor: { tag: 'parse-message' } },
    });
  });

  it('dead-letters a record whose named source is not one firedrill knows', async () => {
    const res = await cluster.simulatePipeline<{ docs: { doc: { _index: string; _source: StoredEvent } }[] }>(
      'firedrill-router',
      [{ message: JSON.stringify(createUser('bogus-source')), firedrill: { source: 'aws' } }],
    );
    const doc = res.docs[0]!.doc;
    expect(doc._index).toBe(DEAD_LETTER_INDEX);
    expect(doc._source.firedrill.dead_letter).toMatchObject({ processor: { tag: 'reject-unknown-source' } });
  });

  it('keeps event.original only when compiled with keepOriginal', async () => {
    const routerBody = (keepOriginal: boolean) =>
      compilePipelines('pipelines', { keepOriginal }).find(
        (r) => r.kind === 'pipeline' && r.id === 'firedrill-router',
      )!.body;
    const message = JSON.stringify(createUser('keep-original'));
    const simulate = async (keepOriginal: boolean) =>
      (
        await cluster.simulatePipeline<{ docs: { doc: { _source: { event: Record<string, unknown> } } }[] }>(
          routerBody(keepOriginal),
          [{ message }],
        )
      ).docs[0]!.doc._source.event.original;
    expect(await simulate(true)).toBe(message);
    expect(await simulate(false)).toBeUndefined();
  });
});
