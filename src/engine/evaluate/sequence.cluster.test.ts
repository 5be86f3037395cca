import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from '../../cluster/index.js';
import { connectTestCluster } from '../../../test/setup/connect.js';
import { EngineEnv, event, MINUTE, rule, type CompiledSequenceRule } from '../fixtures/support.js';

describe('sequence rules: ordered steps joined in the engine', () => {
  let cluster: Cluster;
  let env: EngineEnv;
  const t0 = Date.now() - 90 * MINUTE;
  const range = { from: new Date(t0 - MINUTE), to: new Date(Date.now()) };

  const userCreated = (target: string, at: number) =>
    event({
      '@timestamp': at,
      'event.action': 'CreateUser',
      'event.id': `create-${target}-${at}`,
      'user.name': 'mallory',
      'user.target.name': target,
      'source.ip': '203.0.113.7',
    });
  const keyCreated = (target: string, key: string, at: number) =>
    event({
      '@timestamp': at,
      'event.action': 'CreateAccessKey',
      'event.id': `key-${key}-${at}`,
      'user.name': 'mallory',
      'user.target.name': target,
      'firedrill.credential.id': key,
    });
  const keyUsed = (user: string, key: string, at: number, action = 'ListBuckets') =>
    event({
      '@timestamp': at,
      'event.action': action,
      'event.id': `use-${key}-${at}`,
      'user.name': user,
      'aws.cloudtrail.user_identity.access_key_id': key,
      'firedrill.credential.id': key,
      'source.ip': '192.0.2.99',
    });

  let userThenKey: CompiledSequenceRule;
  let keyThenUse: CompiledSequenceRule;
  let inAccount: CompiledSequenceRule;

  beforeAll(async () => {
    cluster = await connectTestCluster();
    env = new EngineEnv(cluster);
    userThenKey = rule<CompiledSequenceRule>({
      id: `${env.name}-user-then-key`,
      type: 'sequence',
      index: [env.events],
      lookbackMs: 180 * MINUTE,
      groupBy: ['user.target.name'],
      maxSpanMs: 10 * MINUTE,
      includeFirstActivity: { withinMs: 30 * MINUTE },
      steps: [
        {
          name: 'user created',
          join: ['user.target.name'],
          query: { term: { 'event.action': 'CreateUser' } },
        },
        {
          name: 'key created',
          join: ['user.target.name'],
          query: { term: { 'event.action': 'CreateAccessKey' } },
        },
      ],
    });
    keyThenUse = rule<CompiledSequenceRule>({
      id: `${env.name}-key-then-use`,
      type: 'sequence',
      index: [env.events],
      lookbackMs: 180 * MINUTE,
      groupBy: ['firedrill.credential.id'],
      maxSpanMs: 10 * MINUTE,
      steps: [
        {
          name: 'key created',
          join: ['firedrill.credential.id'],
          query: { term: { 'event.action': 'CreateAccessKey' } },
        },
        {
          name: 'key used',
          join: ['aws.cloudtrail.user_identity.access_key_id'],
          query: { exists: { field: 'aws.cloudtrail.user_identity.access_key_id' } },
        },
      ],
    });
    inAccount = rule<CompiledSequenceRule>({
      ...userThenKey,
      id: `${env.name}-user-then-key-in-account`,
      groupBy: ['cloud.account.id', 'user.target.name'],
      steps: userThenKey.steps.map((step) => ({ ...step, join: ['cloud.account.id', 'user.target.name'] })),
    });
    await env.deploy([userThenKey, keyThenUse, inAccount]);
    await env.ingest([
      // good: created, then key 2 minutes later, then the new user acts
      userCreated('alpha', t0),
      keyCreated('alpha', 'AKIAALPHA', t0 + 2 * MINUTE),
      keyUsed('alpha', 'AKIAALPHA', t0 + 5 * MINUTE),
      keyUsed('alpha', 'AKIAALPHA', t0 + 6 * MINUTE, 'GetCallerIdentity'),
      keyUsed('alpha', 'AKIAALPHA', t0 + 45 * MINUTE, 'TooLate'),
      // wrong order: key before user
      keyCreated('bravo', 'AKIABRAVO', t0),
      userCreated('bravo', t0 + MINUTE),
      // too far apart
      userCreated('charlie', t0),
      keyCreated('charlie', 'AKIACHARLIE', t0 + 11 * MINUTE),
      // same second (CloudTrail has one-second timestamps): in order, whichever is listed first
      userCreated('delta', t0 + 20 * MINUTE),
      keyCreated('delta', 'AKIADELTA', t0 + 20 * MINUTE),
      keyCreated('golf', 'AKIAGOLF', t0 + 21 * MINUTE),
      userCreated('golf', t0 + 21 * MINUTE),
      // the same user name in two accounts: created in one, a key in the other
      { ...userCreated('hotel', t0 + 30 * MINUTE), cloud: { account: { id: '111111111111' } } },
      { ...keyCreated('hotel', 'AKIAHOTEL', t0 + 31 * MINUTE), cloud: { account: { id: '222222222222' } } },
      { ...userCreated('india', t0 + 30 * MINUTE), cloud: { account: { id: '111111111111' } } },
      { ...keyCreated('india', 'AKIAINDIA', t0 + 31 * MINUTE), cloud: { account: { id: '111111111111' } } },
    ]);
  });
  afterAll(async () => {
    await env.cleanup();
    await cluster.close();
  });

  it('matches ordered chains within the max span; the same second counts as in order, whatever the file order', async () => {
    const report = await env.run(range);
    expect(report.errors).toBe(0);
    const alerts = await env.alerts(userThenKey.id);
    expect(alerts.map((a) => a.firedrill.alert.group)).toEqual([
      'user.target.name=alpha',
      'user.target.name=delta',
      'user.target.name=golf',
      'user.target.name=hotel',
      'user.target.name=india',
    ]);
    const golf = alerts.find((a) => a.firedrill.alert.group === 'user.target.name=golf')!;
    expect(golf.firedrill.alert.steps?.map((s) => s.event?.action)).toEqual([
      'CreateUser',
      'CreateAccessKey',
    ]);
  });

  it('joins on several fields: a same-named user in another account never chains', async () => {
    const alerts = await env.alerts(inAccount.id);
    expect(alerts.map((a) => a.firedrill.alert.group)).toContain(
      'cloud.account.id=111111111111, user.target.name=india',
    );
    expect(alerts.map((a) => a.firedrill.alert.group).filter((g) => g.includes('hotel'))).toEqual([]);
  });

  it('carries every step and the new account first activity', async () => {
    const [alert] = await env.alerts(userThenKey.id);
    expect(alert!.firedrill.alert.steps).toMatchObject([
      { step: 1, name: 'user created', event: { action: 'CreateUser' }, user: { target: { name: 'alpha' } } },
      {
        step: 2,
        name: 'key created',
        event: { action: 'CreateAccessKey' },
        firedrill: { credential: { id: 'AKIAALPHA' } },
        '@timestamp': new Date(t0 + 2 * MINUTE).toISOString(),
      },
    ]);
    expect(alert!.firedrill.credential?.id).toBe('AKIAALPHA');
    expect(alert!.firedrill.alert.first_activity?.map((e) => e.event?.action)).toEqual([
      'ListBuckets',
      'GetCallerIdentity',
    ]);
  });

  it('joins steps on different fields', async () => {
    const alerts = await env.alerts(keyThenUse.id);
    expect(alerts.map((a) => a.firedrill.alert.group)).toEqual(['firedrill.credential.id=AKIAALPHA']);
    expect(alerts[0]!.firedrill.alert.steps?.map((s) => s.event?.action)).toEqual([
      'CreateAccessKey',
      'ListBuckets',
    ]);
  });

  it('completes a chain whose first step arrives late, once', async () => {
    const written = async (options?: Parameters<typeof env.run>[0]) =>
      (await env.run(options)).rules.find((r) => r.ruleId === userThenKey.id)!.written;
    await env.run();
    const before = (await env.alerts(userThenKey.id)).length;
    await env.ingest([keyCreated('echo', 'AKIAECHO', t0 + 60 * MINUTE)]);
    expect(await written()).toBe(0);
    await env.ingest([userCreated('echo', t0 + 58 * MINUTE)]);
    expect(await written()).toBe(1);
    expect(await written()).toBe(0);
    expect(await written(range)).toBe(0);
    expect(await env.alerts(userThenKey.id)).toHaveLength(before + 1);
  });

  it('adds first activity that arrives after the alert was written', async () => {
    const at = Date.now() - 5 * MINUTE;
    await env.ingest([userCreated('foxtrot', at), keyCreated('foxtrot', 'AKIAFOXTROT', at + MINUTE)]);
    expect((await env.run()).rules.find((r) => r.ruleId === userThenKey.id)!.written).toBe(1);
    const written = (await env.alerts(userThenKey.id)).find(
      (a) => a.firedrill.alert.group === 'user.target.name=foxtrot',
    )!;
    expect(written.firedrill.alert.first_activity).toEqual([]);

    await env.ingest([keyUsed('foxtrot', 'AKIAFOXTROT', at + 2 * MINUTE, 'CreateAccessKey')]);
    const report = await env.run();
    expect(report.rules.find((r) => r.ruleId === userThenKey.id)).toMatchObject({
      written: 0,
      activityUpdated: 1,
    });
    const updated = (await env.alerts(userThenKey.id)).find((a) => a._id === written._id)!;
    expect(updated.firedrill.alert.first_activity?.map((e) => e.event?.action)).toEqual(['CreateAccessKey']);
    expect((await env.run()).rules.find((r) => r.ruleId === userThenKey.id)!.activityUpdated).toBe(0);
  });
});
