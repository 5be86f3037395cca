import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from '../cluster/index.js';
import { ingestRecords } from '../ingest/index.js';
import { layoutOf } from '../layout/index.js';
import { SOURCE_IDS } from '../sources/index.js';
import { connectTestCluster, uniqueName } from '../../test/setup/connect.js';
import {
  goldenCases,
  goldenConfig,
  normalise,
  readExpected,
  recordsOf,
  sortDocs,
  updating,
  writeExpected,
  type GoldenDoc,
} from './fixtures/golden.js';
import { installPipelines } from '../../test/setup/install-pipelines.js';

interface SimulateResponse {
  docs: { doc: { _index: string; _id: string; _source: Record<string, unknown> } }[];
}

let cluster: Cluster;
beforeAll(async () => {
  cluster = await connectTestCluster();
  await installPipelines(cluster);
});
afterAll(async () => cluster?.close());

describe.each(SOURCE_IDS)('%s golden files', (source) => {
  const config = goldenConfig(source);
  const cases = goldenCases(source);

  it.each(cases.map((c) => [c.name, c] as const))('%s through _simulate', async (_name, c) => {
    const records = await recordsOf(c.input);
    const res = await cluster.simulatePipeline<SimulateResponse>(
      'firedrill-router',
      records.map((r) => ({ message: r.text })),
    );
    const actual = res.docs.map(({ doc }) =>
      normalise({ _index: doc._index, _id: doc._id, _source: doc._source }, config),
    );
    if (updating) writeExpected(c, actual);
    expect(actual).toEqual(readExpected(c));
  });

  it('indexes every sample as the golden files say, and a second delivery only adds duplicates', async () => {
    const expected = cases.flatMap((c) => readExpected(c));
    const deadLetters = expected.filter((d) => d._index === layoutOf().deadLetterIndex).length;
    const events = expected.filter((d) => d._index !== layoutOf().deadLetterIndex);
    // Golden ids are fixed: clear what an earlier run left so create-only writes start fresh.
    await cluster.deleteByQuery('logs-*', { ids: { values: events.map((d) => d._id) } });
    const records = (await Promise.all(cases.map((c) => recordsOf(c.input)))).flat();
    const marker = uniqueName('golden');

    const first = await ingestRecords(cluster, records, { marker, refresh: true });
    expect(first).toMatchObject({
      read: records.length,
      indexed: events.length,
      duplicates: 0,
      deadLettered: deadLetters,
    });

    const stored = await cluster.search<Record<string, unknown>>('logs-*', {
      query: { term: { 'firedrill.marker': marker } },
      size: 1000,
    });
    const actual = stored.hits.hits.map((hit) => {
      // The golden ids are the log's own: a replayed copy's id ends with its marker (finishEvent, scripts/finish-event.painless).
      const _id = hit._id.replace(`@${marker}`, '');
      const doc = { _index: hit._index, _id, _source: hit._source } as GoldenDoc;
      delete (doc._source.firedrill as Record<string, unknown>).marker;
      return normalise(doc, config);
    });
    expect(sortDocs(actual)).toEqual(sortDocs(expected));

    // Dead letters too carry an id derived from the record: a second delivery writes no second one.
    const second = await ingestRecords(cluster, records, { marker, refresh: true });
    expect(second).toMatchObject({
      read: records.length,
      indexed: 0,
      duplicates: records.length,
      deadLettered: 0,
    });
    expect(second.read).toBe(second.indexed + second.duplicates + second.deadLettered);
  });
});
