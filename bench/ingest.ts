/**
 * Ingest benchmark: CloudTrail events per second through firedrill-router (bulk with the pipeline) against
 * a plain `_bulk` of the very documents the pipeline produced, into an index with the same mappings, on
 * the same node in the same run. The ratio is the pipeline's cost. Uses the cluster at
 * FIREDRILL_BENCH_TARGET, or an embedded OpenSearch node it starts and stops; needs the pipelines deployed
 * (it installs them). Its events carry a marker and are removed afterwards.
 * Run alone: `[FIREDRILL_BENCH_TARGET=http://localhost:9200] npx tsx bench/ingest.ts`.
 */
import { performance } from 'node:perf_hooks';
import { connect, type Cluster } from '../src/cluster/index.js';
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
    const pipelineRate = run.summary.indexed / run.pipelineSeconds;
    const plainRate = run.plainDocs / run.plainSeconds;
    return [
      {
        name: `CloudTrail through firedrill-router (${EVENTS} events)`,
        value: Math.round(pipelineRate),
        unit: 'events/s',
      },
      { name: 'same documents, plain _bulk', value: Math.round(plainRate), unit: 'events/s' },
      {
        name: 'pipeline / plain throughput',
        value: round(pipelineRate / plainRate),
        unit: 'ratio',
        goal: '≥ 0.7',
      },
      { name: 'dead letters in the run', value: run.summary.deadLettered, unit: 'events', goal: '0' },
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
): Promise<{ summary: IngestSummary; pipelineSeconds: number; plainSeconds: number; plainDocs: number }> {
  const summary: IngestSummary = {
    read: 0,
    indexed: 0,
    duplicates: 0,
    deadLettered: 0,
    failures: [],
    retries: 0,
  };
  let pipelineSeconds = 0;
  let plainSeconds = 0;
  let plainDocs = 0;
  for (let batch = 0; batch * BATCH < count; batch++) {
    const batchPrefix = `${prefix}-${batch}-`;
    const records = [...eventsOf(samples, batchPrefix, Math.min(BATCH, count - batch * BATCH))];
    let start = performance.now();
    const result = await ingestRecords(cluster, records, { marker, batchSize: BATCH });
    pipelineSeconds += (performance.now() - start) / 1000;
    for (const key of ['read', 'indexed', 'duplicates', 'deadLettered'] as const) summary[key] += result[key];
    await cluster.refresh(EVENT_INDEX);
    const produced = await cluster.search<unknown>(EVENT_INDEX, {
      query: { prefix: { 'event.id': batchPrefix } },
      size: BATCH,
    });
    start = performance.now();
    const results = await cluster.bulk(
      produced.hits.hits.map((h) => ({ create: { _index: plainIndex, _id: h._id }, doc: h._source })),
    );
    plainSeconds += (performance.now() - start) / 1000;
    const failed = results.find((r) => r.status >= 300);
    if (failed) throw new Error(`plain bulk failed: ${failed.error?.reason}`);
    plainDocs += results.length;
  }
  return { summary, pipelineSeconds, plainSeconds, plainDocs };
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
