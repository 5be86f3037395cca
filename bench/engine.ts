/**
 * Detection engine benchmark on the cluster at FIREDRILL_BENCH_TARGET (or an embedded OpenSearch node it
 * starts and stops). The content is deployed into deployments of their own with a 100-rule pack made of
 * variants of the real rules; everything is removed afterwards. Records are generated from the scenario
 * library's templates and sent through the real pipelines.
 * - ingest → alert latency (p50, p95) of a live engine process at a 1 s interval while ≥ 1,000 events/s are
 *   being ingested: a probe (a root user creation) every second, timed from its bulk to its alert;
 * - a backfill of BENCH_BACKFILL_EVENTS (default 1,000,000) events with planted attacks, in a process of its
 *   own: events/s against the plain ingest rate of the same records, its peak RSS, every attack alerted;
 * - catch-up throughput of two live engine processes against one, over the same data.
 * Run alone: `[FIREDRILL_BENCH_TARGET=http://localhost:9200] npx tsx bench/engine.ts`.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { connect, type Cluster } from '../src/cluster/index.js';
import { compileAll } from '../src/compile/index.js';
import { deploy, removeDeployment } from '../src/deploy/index.js';
import { ClusterClock } from '../src/engine/index.js';
import { describeError } from '../src/errors.js';
import { layoutOf } from '../src/layout/index.js';
import { onBenchCluster } from './lib/target.js';
import { probeRecords, records, renewed, round, send, withRulePack } from './lib/workload.js';
import type { BenchRow } from './run.js';

const run = promisify(execFile);

const RULES = 100;
const BACKFILL_EVENTS = Number(process.env.BENCH_BACKFILL_EVENTS ?? 1_000_000);
const PLANTED = 200;
const CHUNK = 20_000;
const LOAD_RATE = 1_000;
const LATENCY_SAMPLES = 30;
const CATCH_UP_EVENTS = 40_000;
const CHAIN = 'an1608-aws-user-created-then-credential-v';

export function benchEngine(target = process.env.FIREDRILL_BENCH_TARGET): Promise<BenchRow[]> {
  return onBenchCluster(measure, target);
}

async function measure(target: string): Promise<BenchRow[]> {
  const cluster = await connect({ target });
  try {
    const { latencies, loadRate } = await withDeployment(cluster, 'latency', (d) =>
      latencyUnderLoad(cluster, target, d),
    );
    const backfill = await withDeployment(cluster, 'backfill', (d) => largeBackfill(cluster, target, d));
    const one = await withDeployment(cluster, 'one', (d) => catchUp(cluster, target, d, 1));
    const two = await withDeployment(cluster, 'two', (d) => catchUp(cluster, target, d, 2));
    return [
      {
        name: `ingest → alert latency p50 (live engine, 1 s interval, ${LOAD_RATE} events/s ingested)`,
        value: percentile(latencies, 50),
        unit: 'ms',
      },
      { name: 'ingest → alert latency p95', value: percentile(latencies, 95), unit: 'ms', goal: '≤ 2000' },
      {
        name: 'ingested meanwhile through the pipelines',
        value: Math.round(loadRate),
        unit: 'events/s',
        goal: `≥ ${LOAD_RATE}`,
      },
      {
        name: `plain ingest through the pipelines (${backfill.events} records)`,
        value: Math.round(backfill.ingestRate),
        unit: 'events/s',
      },
      {
        name: `backfill of ${backfill.events} events by ${RULES} rules`,
        value: Math.round(backfill.rate),
        unit: 'events/s',
        goal: '≥ the plain ingest rate',
      },
      {
        name: 'backfill / plain ingest',
        value: round(backfill.rate / backfill.ingestRate),
        unit: 'ratio',
        goal: '≥ 1',
      },
      { name: 'backfill peak RSS', value: Math.round(backfill.maxRssKb / 1024), unit: 'MB', goal: '≤ 512' },
      {
        name: `planted attacks alerted by one chain rule (of ${PLANTED})`,
        value: backfill.planted,
        unit: 'attacks',
        goal: `= ${PLANTED}`,
      },
      {
        name: `catch-up of ${CATCH_UP_EVENTS} events, one engine process`,
        value: Math.round(one),
        unit: 'events/s',
      },
      { name: 'catch-up, two engine processes', value: Math.round(two), unit: 'events/s' },
      { name: 'two processes / one', value: round(two / one), unit: 'ratio', goal: '> 1' },
    ];
  } finally {
    await cluster.close();
  }
}

/** Deploys the content with the rule pack into a fresh deployment, runs `body`, and removes it. */
async function withDeployment<T>(
  cluster: Cluster,
  name: string,
  body: (deployment: string) => Promise<T>,
): Promise<T> {
  const deployment = `bench-${name}-${process.pid}`;
  await deploy(cluster, withRulePack(compileAll({ deployment }), RULES), { deployment });
  try {
    return await body(deployment);
  } finally {
    await removeDeployment(cluster, deployment);
  }
}

/** A `firedrill detect --interval 1s` process; resolves once it has loaded and begins detecting. */
async function engine(target: string, deployment: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/cli/main.ts',
      'detect',
      '--interval',
      '1s',
      '--deployment',
      deployment,
      '--target',
      target,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  await new Promise<void>((resolve, reject) => {
    let said = '';
    const listen = (chunk: Buffer): void => {
      said += chunk.toString();
      if (!said.includes('detecting continuously')) return;
      child.stderr!.off('data', listen);
      resolve();
    };
    child.stderr!.on('data', listen);
    child.once('exit', (code) => reject(new Error(`detect exited (${code}): ${said.trim()}`)));
  });
  child.stderr!.resume();
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** Milliseconds from sending a root user creation, amid the load, to its alert being searchable; the load reached. */
async function latencyUnderLoad(cluster: Cluster, target: string, deployment: string) {
  const { alertsIndex } = layoutOf(deployment);
  const child = await engine(target, deployment);
  let loading = true;
  let sent = 0;
  let failure: unknown;
  // The load: LOAD_RATE read-only calls a second, a bulk every half second whether or not the last one has
  // returned (up to three in flight), made from one generated pool so the generator costs the cores little.
  const pool = records(`${deployment}-load`, Date.now() - 5_000, LOAD_RATE / 2, 0);
  const load = (async () => {
    const inFlight = new Set<Promise<void>>();
    const paced = performance.now();
    for (let tick = 0; loading; tick++) {
      await new Promise((r) => setTimeout(r, Math.max(0, paced + tick * 500 - performance.now())));
      if (inFlight.size >= 3) await Promise.race(inFlight);
      const bulk: Promise<void> = send(cluster, deployment, renewed(pool, String(tick))).then(
        () => {
          sent += pool.length;
          inFlight.delete(bulk);
        },
        (error: unknown) => {
          failure ??= error;
          inFlight.delete(bulk);
        },
      );
      inFlight.add(bulk);
    }
    await Promise.all(inFlight);
    if (failure) throw failure;
  })();
  const out: number[] = [];
  const began = performance.now();
  try {
    await new Promise((r) => setTimeout(r, 5_000)); // the engine's first runs catch up with the lookback
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      const user = `${deployment}-probe-${i}`;
      const created = probeRecords(user);
      const start = performance.now();
      await send(cluster, deployment, created);
      for (;;) {
        const found = await cluster.count(alertsIndex, { term: { 'user.target.name': user } }).catch(() => 0);
        if (found > 0) break;
        if (performance.now() - start > 60_000) throw new Error(`no alert for ${user} within 60 s`);
        await new Promise((r) => setTimeout(r, 50));
      }
      out.push(Math.round(performance.now() - start));
      await new Promise((r) => setTimeout(r, 1_000));
    }
  } finally {
    loading = false;
    await load;
    await stop(child);
  }
  return { latencies: out, loadRate: sent / ((performance.now() - began) / 1000) };
}

/** Ingests the backfill's events (measuring the plain ingest rate) and backfills them in a process of its own. */
async function largeBackfill(cluster: Cluster, target: string, deployment: string) {
  const start = Date.now() - 3 * 3_600_000;
  const chunks = Math.ceil(BACKFILL_EVENTS / CHUNK);
  const perChunk = Math.ceil(PLANTED / chunks);
  let planted = 0;
  const began = performance.now();
  for (let c = 0; c < chunks; c++) {
    const attacks = Math.min(perChunk, PLANTED - planted);
    const noise = Math.min(CHUNK, BACKFILL_EVENTS - c * CHUNK) - 2 * attacks;
    await send(
      cluster,
      deployment,
      records(`${deployment}-${c}`, start + c * CHUNK * 2, noise, attacks, `${deployment}-a${c}`),
    );
    planted += attacks;
  }
  const ingestRate = BACKFILL_EVENTS / ((performance.now() - began) / 1000);
  const { stdout } = await run(
    process.execPath,
    [
      '--import',
      'tsx',
      'bench/lib/backfill-child.ts',
      target,
      deployment,
      new Date(start - 60_000).toISOString(),
      new Date().toISOString(),
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  const result = JSON.parse(stdout) as { ms: number; alerts: number; errors: string[]; maxRssKb: number };
  if (result.errors.length) throw new Error(result.errors[0]);
  const { alertsIndex } = layoutOf(deployment);
  await cluster.refresh(alertsIndex);
  const chain = await cluster.search<unknown, { targets: { value: number } }>(alertsIndex, {
    size: 0,
    query: { prefix: { 'rule.id': `${CHAIN}` } },
    aggs: { targets: { cardinality: { field: 'user.target.name' } } },
  });
  return {
    events: BACKFILL_EVENTS,
    ingestRate,
    rate: BACKFILL_EVENTS / (result.ms / 1000),
    maxRssKb: result.maxRssKb,
    planted: chain.aggregations?.targets.value ?? 0,
  };
}

/** Events/s for `processes` live engines, started fresh on already-ingested data, to catch up with it. */
async function catchUp(
  cluster: Cluster,
  target: string,
  deployment: string,
  processes: number,
): Promise<number> {
  const { engineStateIndex } = layoutOf(deployment);
  await send(
    cluster,
    deployment,
    records(`${deployment}-data`, Date.now() - 600_000, CATCH_UP_EVENTS - 100, 50),
  );
  await cluster.refresh(layoutOf(deployment).eventIndices);
  const ingested = await new ClusterClock(cluster).now();
  // Timed from when every process has loaded: the start-up of a Node process is not catch-up work.
  const children = await Promise.all(Array.from({ length: processes }, () => engine(target, deployment)));
  const started = performance.now();
  try {
    for (;;) {
      await cluster.refresh(engineStateIndex);
      const res = await cluster.search<{ checkpoint?: string }>(engineStateIndex, {
        size: 1_000,
        query: { term: { type: 'rule' } },
        _source: ['checkpoint'],
      });
      const states = res.hits.hits.map((h) => Date.parse(h._source.checkpoint ?? '0'));
      if (states.length === RULES && states.every((t) => t >= ingested)) break;
      if (performance.now() - started > 600_000)
        throw new Error('the engines did not catch up in 10 minutes');
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await Promise.all(children.map(stop));
  }
  return CATCH_UP_EVENTS / ((performance.now() - started) / 1000);
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
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
