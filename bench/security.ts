/**
 * What TLS and authentication cost: ingest and evaluation throughput on a secured embedded node (security
 * plugin, TLS on HTTP and transport, basic auth) against a plain one, both started by this section
 * (FIREDRILL_BENCH_TARGET is not used: it takes one of each) and measured alternately in the same run, so
 * a busy machine slows both alike. Each side gets the content with the engine benchmark's 100-rule pack.
 * - ingest: CloudTrail records through the router pipeline, as `firedrill replay` sends them;
 * - evaluation: a backfill of the 100 rules over every ingested event (repeatable, so rounds compare).
 * Run alone: `npx tsx bench/security.ts`.
 */
import { performance } from 'node:perf_hooks';
import { connect, connectOptionsFromEnv, type Cluster } from '../src/cluster/index.js';
import { compileAll } from '../src/compile/index.js';
import { deploy } from '../src/deploy/index.js';
import { runOnce } from '../src/engine/index.js';
import { describeError } from '../src/errors.js';
import { layoutOf } from '../src/layout/index.js';
import { EmbeddedCluster, type StartedCluster } from '../src/providers/index.js';
import { records, round, send, withRulePack } from './lib/workload.js';
import type { BenchRow } from './run.js';

const RULES = 100;
const ROUNDS = 3;
const EVENTS_PER_ROUND = 2_000;
const BATCH = 500;
const DEPLOYMENT = 'bench-security';

interface Side {
  name: 'plain' | 'secured';
  started: StartedCluster;
  cluster: Cluster;
  ingestSeconds: number;
  evalSeconds: number;
  evaluated: number;
}

export async function benchSecurity(): Promise<BenchRow[]> {
  const started: StartedCluster[] = [];
  try {
    // One after the other: two JVMs starting at once on two cores would each take twice as long.
    started.push(await new EmbeddedCluster().start());
    started.push(await new EmbeddedCluster().withSecurity().start());
    const sides: Side[] = [];
    for (const [i, s] of started.entries()) {
      const cluster = await connect(
        connectOptionsFromEnv(s.url, {}, { caFile: s.ca, username: s.username, password: s.password }),
      );
      sides.push({
        name: i ? 'secured' : 'plain',
        started: s,
        cluster,
        ingestSeconds: 0,
        evalSeconds: 0,
        evaluated: 0,
      });
    }
    return await measure(sides);
  } finally {
    await Promise.all(started.map((s) => s.stop()));
  }
}

async function measure(sides: Side[]): Promise<BenchRow[]> {
  const resources = withRulePack(compileAll({ deployment: DEPLOYMENT }), RULES);
  for (const side of sides) await deploy(side.cluster, resources, { deployment: DEPLOYMENT });
  const firstEvent = Date.now() - 3_600_000;
  for (let round = 0; round < ROUNDS; round++) {
    for (const side of sides) {
      const start = performance.now();
      for (let i = 0; i < EVENTS_PER_ROUND; i += BATCH)
        await send(
          side.cluster,
          DEPLOYMENT,
          records(`${side.name}-${round}-${i}`, firstEvent + (round * EVENTS_PER_ROUND + i) * 2, BATCH, 0),
        );
      side.ingestSeconds += (performance.now() - start) / 1000;
      await side.cluster.refresh(layoutOf(DEPLOYMENT).eventIndices);
    }
    for (const side of sides) {
      const start = performance.now();
      const report = await runOnce(side.cluster, { deployment: DEPLOYMENT, from: new Date(0) });
      side.evalSeconds += (performance.now() - start) / 1000;
      if (report.errors) throw new Error(`${side.name}: ${report.rules.find((r) => r.error)?.error}`);
      side.evaluated += (round + 1) * EVENTS_PER_ROUND;
    }
  }
  for (const side of sides) await side.cluster.close();
  const [plain, secured] = sides as [Side, Side];
  const ingestRate = (s: Side) => (ROUNDS * EVENTS_PER_ROUND) / s.ingestSeconds;
  const evalRate = (s: Side) => s.evaluated / s.evalSeconds;
  return [
    {
      name: 'ingest, plain (events/s through the router)',
      value: Math.round(ingestRate(plain)),
      unit: 'events/s',
    },
    { name: 'ingest, secured (TLS + basic auth)', value: Math.round(ingestRate(secured)), unit: 'events/s' },
    { name: 'ingest secured / plain', value: round(ingestRate(secured) / ingestRate(plain)), unit: 'ratio' },
    {
      name: `evaluation, plain (${RULES} rules, backfill)`,
      value: Math.round(evalRate(plain)),
      unit: 'events/s',
    },
    { name: 'evaluation, secured', value: Math.round(evalRate(secured)), unit: 'events/s' },
    { name: 'evaluation secured / plain', value: round(evalRate(secured) / evalRate(plain)), unit: 'ratio' },
  ];
}

const invokedDirectly = process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (invokedDirectly) {
  try {
    for (const row of await benchSecurity()) process.stdout.write(`${row.name}: ${row.value} ${row.unit}\n`);
  } catch (error) {
    process.stderr.write(`bench/security: ${describeError(error)}\n`);
    process.exitCode = 1;
  }
}
