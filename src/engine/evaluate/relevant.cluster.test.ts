import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from '../../cluster/index.js';
import { connectTestCluster } from '../../../test/setup/connect.js';
import {
  EngineEnv,
  event,
  MINUTE,
  rule,
  type CompiledSequenceRule,
  type CompiledThresholdRule,
} from '../fixtures/support.js';
import type { Scope } from '../scope.js';
import { rulesWithEvidence } from './relevant.js';

describe('rules with new evidence: one aggregation instead of a search per rule', () => {
  let cluster: Cluster;
  let env: EngineEnv;
  let userThenKey: CompiledSequenceRule;
  let burst: CompiledThresholdRule;
  let broken: CompiledThresholdRule;
  const t0 = Date.now() - 30 * MINUTE;
  const scope = (from: number, to: number): Scope => ({ field: '@timestamp', ranges: [{ from, to }] });

  beforeAll(async () => {
    cluster = await connectTestCluster();
    env = new EngineEnv(cluster);
    userThenKey = rule<CompiledSequenceRule>({
      id: `${env.name}-user-then-key`,
      type: 'sequence',
      index: [env.events],
      maxSpanMs: 10 * MINUTE,
      steps: [
        { name: 'created', query: { term: { 'event.action': 'CreateUser' } }, join: ['user.target.name'] },
        { name: 'key', query: { term: { 'event.action': 'CreateAccessKey' } }, join: ['user.target.name'] },
      ],
    });
    burst = rule<CompiledThresholdRule>({
      id: `${env.name}-burst`,
      type: 'threshold',
      index: [env.events],
      query: { term: { 'event.action': 'DeleteUser' } },
      threshold: { value: 3, windowMs: 10 * MINUTE },
    });
    // A query the cluster refuses (a regexp over a date field): its check cannot answer for it.
    broken = { ...burst, id: `${env.name}-broken`, query: { regexp: { '@timestamp': 'a.*' } } };
    await env.deploy([userThenKey, burst]);
    await env.ingest([
      event({ '@timestamp': t0, 'event.action': 'CreateAccessKey', 'user.target.name': 'x' }),
      event({ '@timestamp': t0 + 10 * MINUTE, 'event.action': 'DeleteUser', 'user.target.name': 'x' }),
    ]);
  });
  afterAll(async () => {
    await env.cleanup();
    await cluster.close();
  });

  it('counts a rule in when any of its steps has an event in its scope, and only then', async () => {
    const early = scope(t0 - MINUTE, t0 + MINUTE);
    const late = scope(t0 + 5 * MINUTE, t0 + 11 * MINUTE);
    const found = await rulesWithEvidence({ cluster }, [
      { rule: userThenKey, scope: early },
      { rule: burst, scope: early },
    ]);
    expect([...found]).toEqual([userThenKey.id]);
    const later = await rulesWithEvidence({ cluster }, [
      { rule: userThenKey, scope: late },
      { rule: burst, scope: late },
    ]);
    expect([...later]).toEqual([burst.id]);
  });

  it('counts every rule of a check the cluster refuses in, so each is evaluated (and fails) alone', async () => {
    const whole = scope(t0 - MINUTE, t0 + 20 * MINUTE);
    const found = await rulesWithEvidence({ cluster }, [
      { rule: broken, scope: whole },
      { rule: { ...userThenKey, id: `${env.name}-quiet`, steps: [userThenKey.steps[0]!] }, scope: whole },
    ]);
    expect([...found].sort()).toEqual([broken.id, `${env.name}-quiet`].sort());
  });
});
