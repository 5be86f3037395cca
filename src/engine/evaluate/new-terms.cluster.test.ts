import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from '../../cluster/index.js';
import { connectTestCluster } from '../../../test/setup/connect.js';
import { EngineEnv, event, MINUTE, rule, type CompiledNewTermsRule } from '../fixtures/support.js';

const DAY = 24 * 60 * MINUTE;

describe('new_terms rules: first seen per entity over the history', () => {
  let cluster: Cluster;
  let env: EngineEnv;
  const now = Date.now();
  const created = (actor: string, ip: string, at: number, target = `t-${at}`) =>
    event({
      '@timestamp': at,
      'event.action': 'CreateUser',
      'firedrill.activity': 'account_created',
      'user.name': actor,
      'user.target.name': target,
      'source.ip': ip,
    });

  beforeAll(async () => {
    cluster = await connectTestCluster();
    env = new EngineEnv(cluster);
    await env.deploy([
      rule<CompiledNewTermsRule>({
        id: `${env.name}-new-ip`,
        type: 'new_terms',
        index: [env.events],
        lookbackMs: 10 * MINUTE,
        groupBy: ['user.name'],
        newTermsFields: ['source.ip'],
        historyWindowMs: 14 * DAY,
        query: { term: { 'firedrill.activity': 'account_created' } },
      }),
    ]);
    // The baseline: mallory always creates accounts from 203.0.113.7.
    await env.ingest([
      created('mallory', '203.0.113.7', now - 3 * DAY),
      created('mallory', '203.0.113.7', now - 2 * DAY),
    ]);
  });
  afterAll(async () => {
    await env.cleanup();
    await cluster.close();
  });

  it('backfill: alerts only combinations absent from the history before the window', async () => {
    await env.ingest([
      created('mallory', '203.0.113.7', now - 5 * MINUTE),
      created('mallory', '198.51.100.9', now - 4 * MINUTE, 'backdoor'),
      created('mallory', '198.51.100.9', now - 3 * MINUTE),
      created('trent', '192.0.2.44', now - 2 * MINUTE),
    ]);
    const report = await env.run({ from: new Date(now - 10 * MINUTE), to: new Date(now) });
    expect(report.errors).toBe(0);
    const alerts = await env.alerts();
    expect(alerts.map((a) => a.firedrill.alert.group)).toEqual([
      'source.ip=198.51.100.9, user.name=mallory',
      'source.ip=192.0.2.44, user.name=trent',
    ]);
    expect(alerts[0]!.firedrill.alert.anchor).toBe(new Date(now - 4 * MINUTE).toISOString());
    expect(alerts[0]!.firedrill.alert.first_event).toBe(new Date(now - 4 * MINUTE).toISOString());
  });

  it('live: the same terms are not new again, a late first sighting is not a second alert', async () => {
    const first = await env.run();
    // The baseline events were ingested now, so the first live run sees them as new; afterwards nothing repeats.
    expect(first.errors).toBe(0);
    const before = (await env.alerts()).length;
    await env.ingest([
      created('mallory', '198.51.100.9', now - MINUTE),
      // A late event: trent from the same IP, ten minutes before his first alerted sighting.
      created('trent', '192.0.2.44', now - 12 * MINUTE),
    ]);
    const second = await env.run();
    expect(second.alerts).toBe(0);
    expect(second.rules[0]!.suppressed).toBe(1);
    await env.ingest([created('trent', '192.0.2.45', now - 30_000)]);
    expect((await env.run()).alerts).toBe(1);
    expect(await env.alerts()).toHaveLength(before + 1);
  });
});
