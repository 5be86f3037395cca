import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestCluster, uniqueName } from '../../test/setup/connect.js';
import type { Cluster } from '../cluster/index.js';
import { compileAll } from '../compile/index.js';
import { deploy, removeDeployment } from '../deploy/index.js';
import { ingestRecords } from '../ingest/index.js';
import { layoutOf } from '../layout/index.js';
import { sourceById } from '../sources/index.js';
import { loadConfig } from '../validate/index.js';
import { ClusterClock } from './clock.js';
import { attackRecords, attackTargets } from './fixtures/attacks.js';
import { DetectionEngine } from './engine.js';
import type { RunReport } from './run.js';
import { readStates } from './state.js';

/**
 * The engine in production: it runs live at a 1 s interval while CloudTrail records go through the real
 * pipelines in bulks of 5,000 — so events become searchable seconds after their ingest stamp — and every
 * expected alert must appear exactly once. Each attack creates a user and an access key for it within the
 * same second, listed newest first as delivery files do.
 */
const ATTACKS = 40;
const NOISE = 12_000;
const BULK = 5_000;
const CHAIN = 'an1608-aws-user-created-then-credential';
const KEY_FOR_OTHER = 'an1608-aws-access-key-for-other-user';

let cluster: Cluster;
beforeAll(async () => {
  cluster = await connectTestCluster();
});
afterAll(async () => cluster?.close());

/**
 * Deploys the content into a deployment of its own, starts a live engine, ingests while it runs, waits until
 * every rule's checkpoint is past the end of ingestion, and returns the alerts of the two watched rules.
 */
async function drive(options: { refreshInterval?: string; refresh?: boolean; clockSkewMs?: number }) {
  const deployment = uniqueName('live').toLowerCase();
  const layout = layoutOf(deployment);
  const resources = compileAll({ deployment, config: loadConfig() });
  await deploy(cluster, resources, { deployment });
  const trail = layout.eventIndex(sourceById('aws-cloudtrail')!);
  if (options.refreshInterval)
    await cluster.createIndex(trail, { settings: { 'index.refresh_interval': options.refreshInterval } });
  const reports: RunReport[] = [];
  // A rule may fail a run (a shard of a just-created index not started yet) and back off; by the end every
  // rule's last run must have succeeded.
  const states = () =>
    readStates(
      cluster,
      layout.engineStateIndex,
      resources.filter((r) => r.kind === 'rule').map((r) => r.id),
      undefined,
    );
  const engine = new DetectionEngine(cluster)
    .withInterval(1000)
    .withRunOptions({
      deployment,
      refresh: options.refresh,
      now: () => Date.now() + (options.clockSkewMs ?? 0),
    })
    .onRun((report) => reports.push(report))
    .start();
  try {
    const batch = attackRecords(deployment, ATTACKS, NOISE);
    const summary = await ingestRecords(cluster, batch, { deployment, batchSize: BULK });
    expect(summary).toMatchObject({ read: batch.length, indexed: batch.length, deadLettered: 0 });
    // Wait (without forcing a refresh) until the cluster shows everything ingested, then until every rule
    // has run once from then on: whatever became searchable late must have been evaluated by that run.
    for (let waited = 0; (await cluster.count(trail)) < batch.length; waited += 200) {
      if (waited > 60_000) throw new Error('the ingested events never all became searchable');
      await new Promise((r) => setTimeout(r, 200));
    }
    const ingested = await new ClusterClock(cluster).now();
    const runsBefore = reports.length;
    for (let waited = 0; ; waited += 500) {
      const behind = [...(await states()).values()]
        .filter((s) => Date.parse(s.state.checkpoint ?? '0') < ingested)
        .map((s) => s.state.rule_id);
      // Two runs ended after everything was searchable, so the second one began after it.
      if (behind.length === 0 && reports.length >= runsBefore + 2) break;
      if (waited > 120_000) throw new Error(`rules still behind after 2 min: ${behind.join(', ')}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    await engine.stop();
  }
  await cluster.refresh(layout.alertsIndex);
  const targets = async (rule: string) => {
    const res = await cluster.search<{ user?: { target?: { name?: string } } }>(layout.alertsIndex, {
      size: 10_000,
      query: { term: { 'rule.id': rule } },
      _source: ['user.target.name'],
    });
    return res.hits.hits.map((h) => String(h._source.user?.target?.name));
  };
  const result = {
    chain: await targets(CHAIN),
    keyForOther: await targets(KEY_FOR_OTHER),
    errors: [...(await states()).values()]
      .filter((s) => s.state.error)
      .map((s) => `${s.state.rule_id}: ${s.state.error}`),
    lateSeconds: reports.flatMap((r) => r.rules).reduce((sum, r) => sum + (r.lateSeconds ?? 0), 0),
    expected: attackTargets(deployment, ATTACKS),
  };
  await removeDeployment(cluster, deployment);
  return result;
}

describe('the live engine under load', () => {
  it.each([
    ['the default 1 s refresh', {}],
    // As advised for an index whose refresh interval was raised: the engine does not refresh it.
    ['a 5 s refresh interval, which the engine leaves alone', { refreshInterval: '5s', refresh: false }],
    ["the engine's clock 3 s ahead of the cluster", { clockSkewMs: 3000 }],
    ["the engine's clock 3 s behind the cluster", { clockSkewMs: -3000 }],
  ])('raises every expected alert exactly once with %s', async (_name, options) => {
    const result = await drive(options);
    expect(result.errors).toEqual([]);
    expect([...result.chain].sort()).toEqual(result.expected);
    expect([...result.keyForOther].sort()).toEqual(result.expected);
    if ('refreshInterval' in options)
      // Events searchable seconds after their stamp: the late window, not luck, caught them.
      expect(result.lateSeconds).toBeGreaterThan(0);
  });
});
