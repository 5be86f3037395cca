import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from '../../cluster/index.js';
import { connectTestCluster } from '../../../test/setup/connect.js';
import { EngineEnv, event, MINUTE, rule, type CompiledThresholdRule } from '../fixtures/support.js';

describe('threshold rules: aggregations plus a sliding window', () => {
  let cluster: Cluster;
  let env: EngineEnv;
  let burst: CompiledThresholdRule;
  const t0 = Date.now() - 60 * MINUTE;
  const created = (actor: string, target: string, at: number) =>
    event({
      '@timestamp': at,
      'event.action': 'CreateUser',
      'firedrill.activity': 'account_created',
      'user.name': actor,
      'user.target.name': target,
      'source.ip': '198.51.100.20',
    });

  beforeAll(async () => {
    cluster = await connectTestCluster();
    env = new EngineEnv(cluster);
    burst = rule<CompiledThresholdRule>({
      id: `${env.name}-burst`,
      type: 'threshold',
      index: [env.events],
      lookbackMs: 120 * MINUTE,
      groupBy: ['user.name'],
      suppressionMs: 60 * MINUTE,
      query: { term: { 'firedrill.activity': 'account_created' } },
      threshold: { value: 3, windowMs: 10 * MINUTE, cardinalityField: 'user.target.name' },
    });
    await env.deploy([burst]);
  });
  afterAll(async () => {
    await env.cleanup();
    await cluster.close();
  });

  it('alerts a group whose distinct count reaches the value within the window, and nothing else', async () => {
    await env.ingest([
      // mallory: 3 distinct accounts in 4 minutes
      ...['a', 'b', 'c'].map((t, i) => created('mallory', `m-${t}`, t0 + i * 2 * MINUTE)),
      // bob: 3 accounts, but 15 minutes apart
      ...['a', 'b', 'c'].map((t, i) => created('bob', `b-${t}`, t0 + i * 15 * MINUTE)),
      // carol: the same account 3 times
      ...[0, 1, 2].map((i) => created('carol', 'c-same', t0 + i * MINUTE)),
    ]);
    const report = await env.run();
    expect(report.errors).toBe(0);
    const alerts = await env.alerts();
    expect(alerts.map((a) => a.user?.name)).toEqual(['mallory']);
    expect(alerts[0]!.firedrill.alert).toMatchObject({
      group: 'user.name=mallory',
      event_count: 3,
      anchor: new Date(t0 + 4 * MINUTE).toISOString(),
      first_event: new Date(t0).toISOString(),
    });
    expect(alerts[0]!.user?.target?.name).toEqual(['m-a', 'm-b', 'm-c']);
  });

  it('counts a burst that spans two runs, completed by a late event', async () => {
    await env.ingest([created('dave', 'd-a', t0 + 30 * MINUTE), created('dave', 'd-b', t0 + 31 * MINUTE)]);
    expect((await env.run()).alerts).toBe(0);
    // Delivered late: happened between the first two, ingested now.
    await env.ingest([created('dave', 'd-c', t0 + 30 * MINUTE + 30_000)]);
    const report = await env.run();
    expect(report.alerts).toBe(1);
    const dave = (await env.alerts()).find((a) => a.user?.name === 'dave')!;
    expect(dave.firedrill.alert.anchor).toBe(new Date(t0 + 31 * MINUTE).toISOString());
  });

  it('re-evaluating the same data never alerts twice', async () => {
    const range = { from: new Date(t0 - MINUTE), to: new Date(t0 + 60 * MINUTE) };
    expect((await env.run(range)).alerts).toBe(0);
    expect((await env.run()).alerts).toBe(0);
    // One more account by mallory right after her burst is the same burst, suppressed.
    await env.ingest([created('mallory', 'm-d', t0 + 5 * MINUTE)]);
    expect((await env.run()).alerts).toBe(0);
    expect(await env.alerts()).toHaveLength(2);
  });
});
