import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestCluster } from '../../test/setup/connect.js';
import type { Cluster } from '../cluster/index.js';
import { clauses } from './evaluate/query.js';
import {
  EngineEnv,
  event,
  MINUTE,
  rule,
  type CompiledNewTermsRule,
  type CompiledQueryRule,
} from './fixtures/support.js';

/**
 * No fixed caps: one evaluation pages through any number of events and groups. Here: 12,000 events read in
 * pages of 1,000 — 6,000 of them in one millisecond (one search used to cut a millisecond off at 5,000) —,
 * 2,500 distinct groups (past one composite page and one suppression lookup of 1,000), and 300 query rules
 * whose combined pre-filter would be 1,800 clauses, past the cluster's limit of 1,024. (The 1,000,000-event
 * backfill with a 100-rule pack is measured in bench/engine.ts.)
 */
const EVENTS = 12_000;
const SAME_MS = 6_000;
const GROUPS = 2_500;
const PACK = 300;

describe('the engine at scale', () => {
  let cluster: Cluster;
  let env: EngineEnv;
  // A minute into an hour two hours ago: all of it in one hourly suppression bucket, whenever the test runs.
  const t0 = Math.floor(Date.now() / (60 * MINUTE)) * 60 * MINUTE - 119 * MINUTE;

  beforeAll(async () => {
    cluster = await connectTestCluster();
    env = new EngineEnv(cluster);
    const everything = rule<CompiledQueryRule>({
      id: `${env.name}-every-creation`,
      type: 'query',
      index: [env.events],
      groupBy: ['user.name'],
      lookbackMs: 180 * MINUTE,
      suppressionMs: 60 * MINUTE,
      query: { term: { 'event.action': 'CreateUser' } },
    });
    const firstSeen = rule<CompiledNewTermsRule>({
      id: `${env.name}-first-seen`,
      type: 'new_terms',
      index: [env.events],
      lookbackMs: 180 * MINUTE,
      groupBy: ['user.target.name'],
      newTermsFields: ['source.ip'],
      historyWindowMs: 24 * 60 * MINUTE,
      query: { term: { 'event.action': 'CreateUser' } },
    });
    // 300 rules of 6 clauses each: their pre-filter alone would be 1,800 clauses.
    const pack = Array.from({ length: PACK }, (_, i) =>
      rule<CompiledQueryRule>({
        id: `${env.name}-pack-${i}`,
        type: 'query',
        lookbackMs: 180 * MINUTE,
        index: [env.events],
        query: {
          bool: {
            filter: [
              { terms: { 'user.target.name': [0, 1, 2, 3, 4].map((k) => `u${i * 5 + k}`) } },
              { term: { 'event.action': 'CreateUser' } },
            ],
          },
        },
      }),
    );
    await env.deploy([everything, firstSeen, ...pack]);
    const docs = Array.from({ length: EVENTS }, (_, i) =>
      event({
        // The first 6,000 in one millisecond: none may be cut off.
        '@timestamp': i < SAME_MS ? t0 : t0 + i * 10,
        'event.action': 'CreateUser',
        'event.id': `scale-${i}`,
        'user.name': 'mallory',
        'user.target.name': `u${i % GROUPS}`,
        'source.ip': '203.0.113.7',
      }),
    );
    await env.ingest(docs, undefined, false);
    await cluster.refresh(env.events);
  });
  afterAll(async () => {
    await env.cleanup();
    await cluster.close();
  });

  it('evaluates every event and group in one run, and the rule pack within the clause limit', async () => {
    expect(PACK * clauses({ terms: { f: [1, 2, 3, 4, 5] } })).toBeGreaterThan(1024);
    const report = await env.run();
    expect(report.rules.filter((r) => r.error)).toEqual([]);
    const byId = new Map(report.rules.map((r) => [r.ruleId, r]));
    // Every event, in one suppression bucket of one group: one alert counting all of them.
    expect(byId.get(`${env.name}-every-creation`)).toMatchObject({ findings: 1, written: 1 });
    const [alert] = await env.alerts(`${env.name}-every-creation`);
    expect(alert!.firedrill.alert.event_count).toBe(EVENTS);
    // Every distinct target is new once: 2,500 findings, written up to max_alerts.
    const firstSeen = byId.get(`${env.name}-first-seen`)!;
    expect(firstSeen.findings).toBe(GROUPS);
    expect(firstSeen.written + firstSeen.dropped).toBe(GROUPS);
    // Each pack rule matches its five targets, each of which (u0 … u1499) has several events.
    const pack = report.rules.filter((r) => r.ruleId.includes('-pack-'));
    expect(pack).toHaveLength(PACK);
    const perTarget = (target: number) => Math.ceil((EVENTS - target) / GROUPS);
    for (const r of pack) {
      const n = Number(r.ruleId.split('-pack-')[1]);
      expect(r.findings, r.ruleId).toBe([0, 1, 2, 3, 4].reduce((sum, k) => sum + perTarget(n * 5 + k), 0));
    }
  });
});
