import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from '../../cluster/index.js';
import { connectTestCluster } from '../../../test/setup/connect.js';
import { EngineEnv, event, MINUTE, rule, type CompiledQueryRule } from '../fixtures/support.js';

describe('query rules: matched by named queries, alerted once', () => {
  let cluster: Cluster;
  let env: EngineEnv;
  const t0 = Date.now() - 30 * MINUTE;

  const createUser = (env: EngineEnv, overrides: Partial<CompiledQueryRule> = {}) =>
    rule<CompiledQueryRule>({
      id: `${env.name}-create-user`,
      type: 'query',
      index: [env.events],
      groupBy: ['event.id'],
      query: { bool: { filter: [{ term: { 'event.action': 'CreateUser' } }] } },
      ...overrides,
    });
  const createKey = (env: EngineEnv) =>
    rule<CompiledQueryRule>({
      id: `${env.name}-create-key`,
      type: 'query',
      index: [env.events],
      groupBy: ['event.id'],
      query: {
        bool: {
          filter: [
            { term: { 'event.action': 'CreateAccessKey' } },
            { term: { 'firedrill.target_is_actor': false } },
          ],
        },
      },
    });
  const userCreated = (n: number, extra: Record<string, unknown> = {}) =>
    event({
      '@timestamp': t0 + n * 1000,
      'event.action': 'CreateUser',
      'event.id': `evt-user-${n}`,
      'user.name': 'mallory',
      'firedrill.actor.ids': ['mallory', 'arn:aws:iam::111122223333:user/mallory'],
      'user.target.name': `backdoor-${n}`,
      'source.ip': '203.0.113.7',
      'user_agent.original': 'aws-cli/2.15.0',
      ...extra,
    });

  beforeAll(async () => {
    cluster = await connectTestCluster();
  });
  afterAll(async () => {
    await cluster.close();
  });

  describe('two rules over the same events', () => {
    beforeAll(async () => {
      env = new EngineEnv(cluster);
      await env.deploy([createUser(env), createKey(env)]);
      await env.ingest([
        userCreated(1),
        event({
          '@timestamp': t0 + 2000,
          'event.action': 'CreateAccessKey',
          'event.id': 'evt-key-1',
          'user.name': 'mallory',
          'user.target.name': 'backdoor-1',
          'firedrill.target_is_actor': false,
          'firedrill.credential.id': 'AKIAIOSFODNN7EXAMPLE',
        }),
        event({
          '@timestamp': t0 + 3000,
          'event.action': 'CreateAccessKey',
          'event.id': 'evt-key-self',
          'user.name': 'alice',
          'firedrill.target_is_actor': true,
        }),
        event({ '@timestamp': t0 + 4000, 'event.action': 'ListUsers', 'event.id': 'evt-list' }),
      ]);
    });
    afterAll(() => env.cleanup());

    it('alerts each rule on exactly its matching events, with the evidence fields', async () => {
      const report = await env.run();
      expect(report.errors).toBe(0);
      expect(report.alerts).toBe(2);
      const [user] = await env.alerts(`${env.name}-create-user`);
      expect(user).toMatchObject({
        event: { kind: 'alert', severity: 73, risk_score: 73 },
        rule: { id: `${env.name}-create-user`, type: 'query' },
        threat: {
          framework: 'MITRE ATT&CK',
          tactic: { id: 'TA0003', name: 'Persistence' },
          technique: { id: 'T1136', subtechnique: { id: 'T1136.003' } },
          analytic: { id: 'AN1608' },
        },
        cloud: { provider: 'aws', account: { id: '111122223333' } },
        user: { name: 'mallory', target: { name: 'backdoor-1' } },
        source: { ip: '203.0.113.7' },
        user_agent: { original: 'aws-cli/2.15.0' },
        firedrill: {
          actor: { ids: ['mallory', 'arn:aws:iam::111122223333:user/mallory'] },
          alert: {
            severity: 'high',
            first_event: new Date(t0 + 1000).toISOString(),
            source: { indices: [env.events], event_ids: 'evt-user-1' },
            investigation: ['Review the creator.'],
          },
        },
      });
      const [key] = await env.alerts(`${env.name}-create-key`);
      expect(key!.firedrill.credential?.id).toBe('AKIAIOSFODNN7EXAMPLE');
    });

    it('never alerts twice: a second live run, and a backfill over the same range twice', async () => {
      expect((await env.run()).alerts).toBe(0);
      const range = { from: new Date(t0 - MINUTE), to: new Date(t0 + MINUTE) };
      const backfill = await env.run(range);
      expect(backfill.alerts).toBe(0);
      expect(backfill.rules.reduce((n, r) => n + r.duplicates, 0)).toBe(2);
      expect((await env.run(range)).alerts).toBe(0);
      expect(await env.alerts()).toHaveLength(2);
    });

    it('alerts on a late event: old @timestamp, ingested after the checkpoint', async () => {
      await env.ingest([userCreated(99, { '@timestamp': t0 - 50 * MINUTE })]);
      const report = await env.run();
      expect(report.alerts).toBe(1);
      expect((await env.alerts(`${env.name}-create-user`)).map((a) => a.user?.target?.name)).toContain(
        'backdoor-99',
      );
    });
  });

  describe('scope, suppression and limits', () => {
    afterAll(() => env.cleanup());

    it('with a marker sees only that replay run and tags the alerts', async () => {
      env = new EngineEnv(cluster);
      await env.deploy([createUser(env)]);
      await env.ingest([
        userCreated(1, { 'firedrill.marker': 'run-a' }),
        userCreated(2, { 'firedrill.marker': 'run-b' }),
      ]);
      const report = await env.run({ marker: 'run-a' });
      expect(report.alerts).toBe(1);
      const alerts = await env.alerts();
      expect(alerts.map((a) => [a.firedrill.marker, a.user?.target?.name])).toEqual([
        ['run-a', 'backdoor-1'],
      ]);
      // The live state is untouched by the marker run: a live run evaluates both events, and tags each
      // alert with its event's run, so run-a's is the alert the marker run already wrote.
      const live = await env.run();
      expect(live).toMatchObject({ alerts: 1, rules: [{ duplicates: 1 }] });
      expect((await env.alerts()).map((a) => a.firedrill.marker).sort()).toEqual(['run-a', 'run-b']);
    });

    it('suppresses alerts of one group within the window, across runs', async () => {
      await env.cleanup();
      env = new EngineEnv(cluster);
      const suppressed = createUser(env, { groupBy: ['user.name'], suppressionMs: 60 * MINUTE });
      await env.deploy([suppressed]);
      await env.ingest([userCreated(1), userCreated(2), userCreated(3, { 'user.name': 'trent' })]);
      const first = await env.run();
      expect(first.alerts).toBe(2);
      const mallory = (await env.alerts()).find((a) => a.user?.name === 'mallory')!;
      expect(mallory.firedrill.alert.event_count).toBe(2);
      await env.ingest([userCreated(4)]);
      const second = await env.run();
      expect(second.alerts).toBe(0);
      expect(second.rules[0]!.suppressed).toBe(1);
    });

    it('writes at most max_alerts per run', async () => {
      await env.cleanup();
      env = new EngineEnv(cluster);
      await env.deploy([createUser(env, { maxAlerts: 2 })]);
      await env.ingest([1, 2, 3, 4, 5].map((n) => userCreated(n)));
      const report = await env.run();
      expect(report.rules[0]).toMatchObject({ written: 2, dropped: 3 });
      expect(await env.alerts()).toHaveLength(2);
    });

    it('caps a backfill per schedule interval it covers, as the live engine would have run', async () => {
      await env.cleanup();
      env = new EngineEnv(cluster);
      // 2 alerts per 5-minute interval; 15 minutes hold 3 intervals' worth, with 3 findings in each.
      await env.deploy([createUser(env, { maxAlerts: 2 })]);
      const at = (i: number) =>
        userCreated(i, { '@timestamp': t0 + Math.floor(i / 3) * 5 * MINUTE + (i % 3) * 1000 });
      await env.ingest([0, 1, 2, 3, 4, 5, 6, 7, 8].map(at));
      const report = await env.run({ from: new Date(t0), to: new Date(t0 + 15 * MINUTE) });
      expect(report.rules[0]).toMatchObject({ written: 6, dropped: 3 });
    });
  });
});
