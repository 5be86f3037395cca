/**
 * Ingest benchmark on one node, every side alternating batch by batch so all see the same background load:
 * CloudTrail records through firedrill's sender and the router; the same kind of records in one `_bulk`
 * through the router (the pipeline's own cost); a plain `_bulk` of the very documents the pipeline
 * produced, into an index with the same mappings. Reference points: what a pipeline of one `set`, and one
 * that parses JSON text and runs a one-line script, cost against plain on this node. And throughput with
 * 10 % of bulks answered 429. Uses the cluster at FIREDRILL_BENCH_TARGET, or an embedded OpenSearch node it
 * starts and stops; installs the pipelines. Its events carry a marker and are removed afterwards.
 * Run alone: `[FIREDRILL_BENCH_TARGET=http://localhost:9200] npx tsx bench/ingest.ts`.
 */
import { performance } from 'node:perf_hooks';
import { connect, type Cluster } from '../src/cluster/index.js';
import { layoutOf } from '../src/layout/index.js';
import { describeError } from '../src/errors.js';
import { ingestRecords, readRecords, type IngestSummary, type RawRecord } from '../src/ingest/index.js';
import { FaultProxy } from '../src/ingest/fixtures/fault-proxy.js';
import { installPipelines } from '../test/setup/install-pipelines.js';
import { onBenchCluster } from './lib/target.js';
import type { BenchRow } from './run.js';

const EVENTS = 10_000;
const WARMUP = 2_000;
const BATCH = 1_000;
const EVENT_INDEX = 'logs-aws.cloudtrail-default';
/** The 120 KB policy sample would dominate both sides; real CloudTrail events are mostly 1–3 KB. */
const TYPICAL_BYTES = 20_000;

export function benchIngest(target = process.env.FIREDRILL_BENCH_TARGET): Promise<BenchRow[]> {
  return onBenchCluster(measure, target);
}

async function measure(target: string): Promise<BenchRow[]> {
  const cluster = await connect({ target });
  const marker = `bench-ingest-${process.pid}`;
  // Same index template (logs-aws.cloudtrail-*), so the plain copy gets the same mappings.
  const plainIndex = `logs-aws.cloudtrail-bench${process.pid}`;
  try {
    await installPipelines(cluster);
    const samples = await cloudTrailSamples();
    await measureInterleaved(cluster, samples, `${marker}-warm`, WARMUP, `${plainIndex}-warm`, marker);
    const run = await measureInterleaved(cluster, samples, `${marker}-run`, EVENTS, plainIndex, marker);
    const senderRate = run.summary.indexed / run.senderSeconds;
    const pipelineRate = run.plainDocs / run.pipelineSeconds;
    const plainRate = run.plainDocs / run.plainSeconds;
    return [
      {
        name: `CloudTrail through firedrill's sender and the router (${EVENTS} events)`,
        value: Math.round(senderRate),
        unit: 'events/s',
      },
      {
        name: 'the same records in one _bulk through the router',
        value: Math.round(pipelineRate),
        unit: 'events/s',
      },
      {
        name: 'the documents the router produced, plain _bulk',
        value: Math.round(plainRate),
        unit: 'events/s',
      },
      {
        name: 'pipeline / plain throughput',
        value: round(pipelineRate / plainRate),
        unit: 'ratio',
        goal: '≥ 0.7',
      },
      { name: 'sender + pipeline / plain throughput', value: round(senderRate / plainRate), unit: 'ratio' },
      { name: 'dead letters in the run', value: run.summary.deadLettered, unit: 'events', goal: '0' },
      ...(await measureReferences(cluster, run.produced, `${plainIndex}-ref`)),
      ...(await measureRejections(target, samples, marker)),
    ];
  } finally {
    await cluster.deleteByQuery('logs-*', { term: { 'firedrill.marker': marker } });
    for (const index of [plainIndex, `${plainIndex}-warm`]) await cluster.deleteIndex(index);
    await cluster.close();
  }
}

/** The golden CloudTrail samples that are typical events: a mix of identities, agents and outcomes. */
async function cloudTrailSamples(): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for await (const { value } of readRecords('pipelines/aws-cloudtrail/samples')) {
    const event = value as Record<string, unknown> | undefined;
    const typical = JSON.stringify(event ?? null).length <= TYPICAL_BYTES;
    if (
      typical &&
      typeof event?.eventID === 'string' &&
      typeof event.eventTime === 'string' &&
      event.eventName
    ) {
      out.push(event);
    }
  }
  return out;
}

function* eventsOf(samples: Record<string, unknown>[], prefix: string, count: number): Generator<RawRecord> {
  for (let i = 0; i < count; i++) {
    const value = { ...samples[i % samples.length], eventID: `${prefix}-${i}` };
    yield { text: JSON.stringify(value), value, file: 'bench', line: i + 1 };
  }
}

/**
 * Alternates one pipeline batch with a plain bulk of the documents it produced, so both sides run under
 * the same background load (the machine is shared), and sums each side's time.
 */
async function measureInterleaved(
  cluster: Cluster,
  samples: Record<string, unknown>[],
  prefix: string,
  count: number,
  plainIndex: string,
  marker: string,
): Promise<{
  summary: IngestSummary;
  senderSeconds: number;
  pipelineSeconds: number;
  plainSeconds: number;
  plainDocs: number;
  /** The documents the pipeline produced in the last batch. */
  produced: Record<string, unknown>[];
}> {
  const summary: IngestSummary = {
    read: 0,
    indexed: 0,
    duplicates: 0,
    deadLettered: 0,
    failures: [],
    retries: 0,
  };
  let senderSeconds = 0;
  let pipelineSeconds = 0;
  let plainSeconds = 0;
  let plainDocs = 0;
  let produced: Record<string, unknown>[] = [];
  for (let batch = 0; batch * BATCH < count; batch++) {
    const batchPrefix = `${prefix}-${batch}-`;
    const size = Math.min(BATCH, count - batch * BATCH);
    const records = [...eventsOf(samples, batchPrefix, size)];
    let start = performance.now();
    const result = await ingestRecords(cluster, records, { marker, batchSize: BATCH });
    senderSeconds += (performance.now() - start) / 1000;
    for (const key of ['read', 'indexed', 'duplicates', 'deadLettered'] as const) summary[key] += result[key];
    // The same kind of records in one _bulk through the router, as the plain side is sent: the pipeline's
    // own cost, without the sender's per-call lookups and byte-bounded requests.
    const { routerPipeline, incomingIndex, deadLetterIndex } = layoutOf();
    const direct = [...eventsOf(samples, `${batchPrefix}direct-`, size)].map((record, i) => ({
      create: { _index: incomingIndex, _id: `${batchPrefix}direct-${i}@${marker}`, pipeline: routerPipeline },
      doc: { message: record.text, firedrill: { marker } },
    }));
    start = performance.now();
    const routed = await cluster.bulk(direct);
    pipelineSeconds += (performance.now() - start) / 1000;
    const lost = routed.find((r) => r.status >= 300 || r._index?.startsWith(deadLetterIndex));
    if (lost)
      throw new Error(`router bulk failed: ${lost.error?.reason ?? `dead-lettered to ${lost._index}`}`);
    await cluster.refresh(EVENT_INDEX);
    const hits = await cluster.search<Record<string, unknown>>(EVENT_INDEX, {
      query: {
        bool: {
          filter: [{ prefix: { 'event.id': batchPrefix } }],
          must_not: [{ prefix: { 'event.id': `${batchPrefix}direct-` } }],
        },
      },
      size: BATCH,
    });
    produced = hits.hits.hits.map((h) => h._source);
    start = performance.now();
    const results = await cluster.bulk(
      hits.hits.hits.map((h) => ({ create: { _index: plainIndex, _id: h._id }, doc: h._source })),
    );
    plainSeconds += (performance.now() - start) / 1000;
    const failed = results.find((r) => r.status >= 300);
    if (failed) throw new Error(`plain bulk failed: ${failed.error?.reason}`);
    plainDocs += results.length;
  }
  return { summary, senderSeconds, pipelineSeconds, plainSeconds, plainDocs, produced };
}

const REFERENCE_ROUNDS = 10;

/**
 * What any ingest pipeline costs on this node, as reference points for the router's ratio: the produced
 * documents sent plain, through a pipeline of one `set` processor, and as JSON text through a pipeline
 * that parses it and runs a one-line script — alternating, round by round, into an index of their own.
 */
async function measureReferences(
  cluster: Cluster,
  produced: Record<string, unknown>[],
  index: string,
): Promise<BenchRow[]> {
  const pipelines = {
    set: { processors: [{ set: { field: 'bench', value: 1 } }] },
    script: {
      processors: [
        { json: { field: 'message', add_to_root: true } },
        { remove: { field: 'message' } },
        { script: { lang: 'painless', source: 'ctx.bench = 1;' } },
      ],
    },
  };
  const ms = { plain: 0, set: 0, script: 0 };
  try {
    for (const [name, body] of Object.entries(pipelines))
      await cluster.putPipeline(`firedrill-bench-${name}`, body);
    for (let round = 0; round < REFERENCE_ROUNDS; round++)
      for (const mode of ['plain', 'set', 'script'] as const) {
        const actions = produced.map((doc, i) => ({
          create: {
            _index: index,
            _id: `${mode}-${round}-${i}`,
            ...(mode === 'plain' ? {} : { pipeline: `firedrill-bench-${mode}` }),
          },
          doc: mode === 'script' ? { message: JSON.stringify(doc) } : doc,
        }));
        const start = performance.now();
        const results = await cluster.bulk(actions);
        ms[mode] += performance.now() - start;
        const failed = results.find((r) => r.status >= 300);
        if (failed) throw new Error(`reference bulk failed: ${failed.error?.reason}`);
      }
  } finally {
    for (const name of Object.keys(pipelines)) await cluster.deletePipeline(`firedrill-bench-${name}`);
    await cluster.deleteIndex(index);
  }
  return [
    {
      name: 'reference: a pipeline of one set processor / plain',
      value: round(ms.plain / ms.set),
      unit: 'ratio',
    },
    {
      name: 'reference: JSON text parsed, then a one-line script / plain',
      value: round(ms.plain / ms.script),
      unit: 'ratio',
    },
  ];
}

const REJECTION_ROUNDS = 4;
const REJECTION_EVENTS = 5_000;

/**
 * Throughput when 10 % of bulk requests are answered 429 (and retried after back-off) against none, through
 * the same loopback proxy, alternating round by round so both see the same background load.
 */
async function measureRejections(
  target: string,
  samples: Record<string, unknown>[],
  marker: string,
): Promise<BenchRow[]> {
  const proxy = await FaultProxy.start(target);
  const cluster = await connect({ target: proxy.url });
  const seconds = { clean: 0, rejecting: 0 };
  const events = { clean: 0, rejecting: 0 };
  let rejected = 0;
  try {
    for (let round = 0; round < REJECTION_ROUNDS; round++) {
      for (const mode of ['clean', 'rejecting'] as const) {
        proxy.use(
          mode === 'rejecting' ? { request: ({ n }) => (n % 10 === 9 ? { status: 429 } : undefined) } : {},
        );
        const records = [...eventsOf(samples, `${marker}-429-${round}-${mode}-`, REJECTION_EVENTS)];
        const start = performance.now();
        const summary = await ingestRecords(cluster, records, { marker });
        seconds[mode] += (performance.now() - start) / 1000;
        events[mode] += summary.indexed;
        if (mode === 'rejecting') rejected += proxy.seen.faults;
      }
    }
  } finally {
    await cluster.close();
    await proxy.close();
  }
  const clean = events.clean / seconds.clean;
  const rejecting = events.rejecting / seconds.rejecting;
  return [
    { name: 'through the router, no bulk rejected', value: Math.round(clean), unit: 'events/s' },
    {
      name: `10 % of bulks answered 429 (${rejected} retried)`,
      value: Math.round(rejecting),
      unit: 'events/s',
    },
    { name: 'with 429s / without', value: round(rejecting / clean), unit: 'ratio', goal: '≥ 0.8' },
  ];
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

const invokedDirectly = process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (invokedDirectly) {
  try {
    for (const row of await benchIngest()) {
      process.stdout.write(`${row.name}: ${row.value} ${row.unit}${row.goal ? ` (goal ${row.goal})` : ''}\n`);
    }
  } catch (error) {
    process.stderr.write(`bench/ingest: ${describeError(error)}\n`);
    process.exitCode = 1;
  }
}
