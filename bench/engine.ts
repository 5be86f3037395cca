/**
 * Detection engine benchmark on the cluster at FIREDRILL_BENCH_TARGET (or an embedded OpenSearch node it
 * starts and stops). The full content is deployed into a namespace of its own with a 100-rule pack made
 * of variants of the real rules; everything is removed afterwards.
 * - evaluation throughput: events evaluated per second by one `runOnce` of the 100 rules, against the
 *   plain ingest rate of the same CloudTrail records through the pipelines, as a ratio;
 * - ingest → alert latency: one record at a time into a running continuous engine (1 s interval),
 *   from the bulk request to the alert being searchable.
 * Run alone: `[FIREDRILL_BENCH_TARGET=http://localhost:9200] npx tsx bench/engine.ts`.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parse } from 'yaml';
import { connect, type Cluster } from '../src/cluster/index.js';
import { compileAll } from '../src/compile/index.js';
import { ruleDocument } from '../src/compile/engine.js';
import { withHash } from '../src/compile/rules/index.js';
import type { CompiledRule, Resource } from '../src/compile/types.js';
import { deploy, removeDeployment } from '../src/deploy/index.js';
import { DetectionEngine, runOnce } from '../src/engine/index.js';
import { describeError } from '../src/errors.js';
import { ingestRecords, readRecords } from '../src/ingest/index.js';
import { layoutOf } from '../src/layout/index.js';
import { onBenchCluster } from './lib/target.js';
import type { BenchRow } from './run.js';

const RULES = 100;
const EVENTS = 5_000;
const BATCH = 500;
const LATENCY_SAMPLES = 20;

export function benchEngine(target = process.env.FIREDRILL_BENCH_TARGET): Promise<BenchRow[]> {
  return onBenchCluster(measure, target);
}

async function measure(target: string): Promise<BenchRow[]> {
  const namespace = `bench-engine-${process.pid}`;
  const cluster = await connect({ target });
  try {
    await deploy(cluster, withRulePack(compileAll({ deployment: namespace }), RULES), {
      deployment: namespace,
    });
    const send = (records: Record<string, unknown>[]) => ingest(cluster, namespace, records);

    const samples = await cloudTrailSamples();
    const ingestStart = performance.now();
    for (let i = 0; i < EVENTS; i += BATCH)
      await send(Array.from({ length: Math.min(BATCH, EVENTS - i) }, (_, k) => sample(samples, i + k)));
    const ingestRate = EVENTS / ((performance.now() - ingestStart) / 1000);
    await cluster.refresh(layoutOf(namespace).eventIndices);

    const evalStart = performance.now();
    const report = await runOnce(cluster, { deployment: namespace, settleMs: 0 });
    const evalRate = EVENTS / ((performance.now() - evalStart) / 1000);
    if (report.errors) throw new Error(report.rules.find((r) => r.error)!.error);

    const latencies = await latency(cluster, send, namespace);
    return [
      {
        name: `plain ingest through the pipelines (${EVENTS} CloudTrail records)`,
        value: Math.round(ingestRate),
        unit: 'events/s',
      },
      { name: `evaluation by ${RULES} rules, one run`, value: Math.round(evalRate), unit: 'events/s' },
      {
        name: 'evaluation / ingest throughput',
        value: round(evalRate / ingestRate),
        unit: 'ratio',
        goal: '≥ 0.5',
      },
      { name: `alerts written by that run`, value: report.alerts, unit: 'alerts' },
      {
        name: `ingest → alert latency p50 (${LATENCY_SAMPLES} events, 1 s interval)`,
        value: percentile(latencies, 50),
        unit: 'ms',
      },
      { name: 'ingest → alert latency p95', value: percentile(latencies, 95), unit: 'ms', goal: '≤ 5000' },
    ];
  } finally {
    await removeDeployment(cluster, namespace);
    await cluster.close();
  }
}

/**
 * The content's rules replaced by `count` variants of them (same queries, distinct ids), round robin;
 * each hashed as the compiler would, or the engine would refuse it.
 */
export function withRulePack(resources: Resource[], count: number): Resource[] {
  const rules = resources.filter((r) => r.kind === 'rule');
  const pack = Array.from({ length: count }, (_, i) => {
    const original = rules[i % rules.length]!;
    const { hash: _hash, ...rule } = original.body.firedrill_rule as CompiledRule;
    const id = `${rule.id}-v${i}`;
    return { ...original, id, body: ruleDocument(withHash({ ...rule, id })) };
  });
  return [...resources.filter((r) => r.kind !== 'rule'), ...pack];
}

/** Raw records through the deployment's pipelines, the way `firedrill replay` sends them; none may fail. */
export async function ingest(
  cluster: Cluster,
  deployment: string,
  records: Record<string, unknown>[],
): Promise<void> {
  const summary = await ingestRecords(
    cluster,
    records.map((value, i) => ({ value, text: JSON.stringify(value), file: 'bench', line: i + 1 })),
    { deployment, batchSize: records.length },
  );
  if (summary.indexed !== records.length)
    throw new Error(`ingest failed: ${summary.failures[0]?.reason ?? `${summary.duplicates} duplicate(s)`}`);
}

/** Milliseconds from sending one root CreateUser record to its alert being searchable, per sample. */
async function latency(
  cluster: Cluster,
  send: (records: Record<string, unknown>[]) => Promise<void>,
  deployment: string,
): Promise<number[]> {
  const { alertsIndex } = layoutOf(deployment);
  const example = parse(
    readFileSync('detections/an1608/examples/an1608-aws-account-created-by-root.yaml', 'utf8'),
  ) as { positive: { events: Record<string, unknown>[] }[] };
  const record = example.positive[0]!.events[0]!;
  const engine = new DetectionEngine(cluster)
    .withInterval(1000)
    .withRules('an1608-aws-account-created-by-root-*')
    .withRunOptions({ deployment })
    .start();
  const out: number[] = [];
  try {
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      const eventID = `bench-latency-${process.pid}-${i}`;
      const start = performance.now();
      await send([withTarget(record, eventID, `bench-user-${i}`)]);
      for (;;) {
        const found = await cluster
          .count(alertsIndex, { term: { 'firedrill.alert.source.event_ids': eventID } })
          .catch(() => 0);
        if (found > 0) break;
        if (performance.now() - start > 60_000) throw new Error(`no alert for ${eventID} within 60 s`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      out.push(Math.round(performance.now() - start));
    }
  } finally {
    await engine.stop();
  }
  return out;
}

/** The record as a new event now, creating a new user (the rule suppresses per created user). */
function withTarget(
  record: Record<string, unknown>,
  eventID: string,
  userName: string,
): Record<string, unknown> {
  const copy = structuredClone(record) as Record<string, Record<string, unknown>>;
  copy.requestParameters = { ...copy.requestParameters, userName };
  const response = copy.responseElements as { user?: Record<string, unknown> } | undefined;
  if (response?.user) response.user = { ...response.user, userName };
  return { ...copy, eventID, eventTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') };
}

export async function cloudTrailSamples(): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for await (const { value } of readRecords('pipelines/aws-cloudtrail/samples')) {
    const event = value as Record<string, unknown> | undefined;
    if (
      typeof event?.eventID === 'string' &&
      typeof event.eventTime === 'string' &&
      event.eventName &&
      JSON.stringify(event).length < 20_000
    )
      out.push(event);
  }
  return out;
}

export function sample(samples: Record<string, unknown>[], i: number): Record<string, unknown> {
  return { ...samples[i % samples.length], eventID: `bench-engine-${process.pid}-${i}` };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export function round(value: number): number {
  return Math.round(value * 100) / 100;
}

const invokedDirectly = process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (invokedDirectly) {
  try {
    for (const row of await benchEngine())
      process.stdout.write(`${row.name}: ${row.value} ${row.unit}${row.goal ? ` (goal ${row.goal})` : ''}\n`);
  } catch (error) {
    process.stderr.write(`bench/engine: ${describeError(error)}\n`);
    process.exitCode = 1;
  }
}
